//! The cache's behaviour in one process: lookups, inserts, counters,
//! corruption, cleanup and verify.

mod common;

use std::io::{Read, Write};
use std::path::Path;

use common::{files_under, is_rfc3339_utc, payload, put, sha};
use revitpy_cache::{Cache, CacheError, Lookup};

fn flip_byte(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

/// Sets an entry's last use `days` days back, as if it had not been used since.
fn age_entry(root: &Path, sha256: &str, days: u32) {
    let db = rusqlite::Connection::open(root.join("cache.db")).unwrap();
    let n = db
        .execute(
            "UPDATE entries SET last_used_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?2) WHERE sha256 = ?1",
            rusqlite::params![sha256, format!("-{days} days")],
        )
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn insert_then_get_is_a_hit_with_intact_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    assert_eq!(cache.root(), dir.path());
    let bytes = payload(1, 100_000);
    let digest = sha(&bytes);

    let stored = put(&cache, &bytes, "wall-tools", "1.2.0");
    let expected_path = dir.path().join("packages").join(&digest[..2]).join(format!("{digest}.rpyx"));
    assert_eq!(stored, expected_path);
    assert_eq!(cache.path_of(&digest).unwrap(), expected_path);

    let Lookup::Hit(path) = cache.get(&digest, bytes.len() as u64).unwrap() else { panic!("not a hit") };
    assert_eq!(path, expected_path);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);

    let entries = cache.entries().unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(
        (e.sha256.as_str(), e.size, e.name.as_str(), e.version.as_str()),
        (digest.as_str(), 100_000, "wall-tools", "1.2.0")
    );
    assert_eq!(e.uses, 1);
    assert!(is_rfc3339_utc(&e.added_at), "{}", e.added_at);
    assert!(is_rfc3339_utc(&e.last_used_at), "{}", e.last_used_at);
    assert!(e.added_at <= e.last_used_at);

    let stats = cache.stats().unwrap();
    assert_eq!((stats.entries, stats.bytes, stats.hits, stats.misses), (1, 100_000, 1, 0));
    assert_eq!(stats.hit_rate, 1.0);
    // The temporary file was moved, not copied.
    assert_eq!(files_under(&dir.path().join("tmp")), Vec::<std::path::PathBuf>::new());
}

#[test]
fn misses_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let stats = cache.stats().unwrap();
    assert_eq!((stats.hits, stats.misses, stats.hit_rate), (0, 0, 0.0));
    assert_eq!((stats.oldest, stats.newest), (None, None));

    assert_eq!(cache.get(&"0".repeat(64), 10).unwrap(), Lookup::Miss);
    assert_eq!(cache.get(&"1".repeat(64), 10).unwrap(), Lookup::Miss);
    let stats = cache.stats().unwrap();
    assert_eq!((stats.hits, stats.misses, stats.hit_rate), (0, 2, 0.0));

    let bytes = payload(2, 1000);
    put(&cache, &bytes, "a", "1");
    assert!(matches!(cache.get(&sha(&bytes), 1000).unwrap(), Lookup::Hit(_)));
    assert!(matches!(cache.get(&sha(&bytes), 1000).unwrap(), Lookup::Hit(_)));
    let stats = cache.stats().unwrap();
    assert_eq!((stats.hits, stats.misses), (2, 2));
    assert_eq!(stats.hit_rate, 0.5);
}

#[test]
fn counters_and_entries_persist_across_open() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = payload(3, 5000);
    {
        let cache = Cache::open(dir.path()).unwrap();
        assert_eq!(cache.get(&sha(&bytes), 5000).unwrap(), Lookup::Miss);
        put(&cache, &bytes, "persisted", "2.0");
        assert!(matches!(cache.get(&sha(&bytes), 5000).unwrap(), Lookup::Hit(_)));
        assert!(matches!(cache.get(&sha(&bytes), 5000).unwrap(), Lookup::Hit(_)));
    }
    let cache = Cache::open(dir.path()).unwrap();
    let stats = cache.stats().unwrap();
    assert_eq!((stats.entries, stats.bytes, stats.hits, stats.misses), (1, 5000, 2, 1));
    assert!(matches!(cache.get(&sha(&bytes), 5000).unwrap(), Lookup::Hit(_)));
    let stats = cache.stats().unwrap();
    assert_eq!((stats.hits, stats.misses), (3, 1));
    assert_eq!(stats.hit_rate, 0.75);
    let entry = cache.entries().unwrap().remove(0);
    assert_eq!((entry.name.as_str(), entry.version.as_str(), entry.uses), ("persisted", "2.0", 3));
}

#[test]
fn a_flipped_byte_is_corrupt_removed_and_then_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let bytes = payload(4, 70_000);
    let digest = sha(&bytes);
    let path = put(&cache, &bytes, "flip", "1");
    flip_byte(&path, 12_345);

    match cache.get(&digest, bytes.len() as u64).unwrap() {
        Lookup::Corrupt { expected, actual } => {
            assert_eq!(expected, digest);
            assert_ne!(actual, digest);
            assert_eq!(actual.len(), 64);
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert!(!path.exists(), "corrupt file left in place");
    assert!(cache.entries().unwrap().is_empty());
    assert_eq!(cache.get(&digest, bytes.len() as u64).unwrap(), Lookup::Miss);
    let stats = cache.stats().unwrap();
    assert_eq!((stats.hits, stats.misses, stats.entries), (0, 2, 0));
}

#[test]
fn a_truncated_file_or_a_wrong_expected_size_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let bytes = payload(5, 4096);
    let path = put(&cache, &bytes, "short", "1");
    std::fs::write(&path, &bytes[..4000]).unwrap();
    assert_eq!(
        cache.get(&sha(&bytes), 4096).unwrap(),
        Lookup::Corrupt { expected: "4096 bytes".into(), actual: "4000 bytes".into() }
    );
    assert!(!path.exists());

    put(&cache, &bytes, "short", "1");
    assert_eq!(
        cache.get(&sha(&bytes), 4097).unwrap(),
        Lookup::Corrupt { expected: "4097 bytes".into(), actual: "4096 bytes".into() }
    );
    assert!(!path.exists());
}

#[test]
fn insert_refuses_a_wrong_hash_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let bytes = payload(6, 3000);
    let claimed = sha(b"something else");
    let mut temp = cache.temp_file().unwrap();
    temp.write_all(&bytes).unwrap();
    let err = cache.insert(temp, &claimed, 3000, "bad", "1.0").unwrap_err();
    match &err {
        CacheError::HashMismatch { expected, actual, .. } => {
            assert_eq!(expected, &claimed);
            assert_eq!(actual, &sha(&bytes));
        }
        other => panic!("expected HashMismatch, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains(&claimed) && message.contains(&sha(&bytes)), "{message}");
    assert!(message.contains("bad 1.0"), "{message}");
    assert_nothing_stored(dir.path(), &cache);
}

#[test]
fn insert_refuses_a_wrong_size_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let bytes = payload(7, 3000);
    let mut temp = cache.temp_file().unwrap();
    temp.write_all(&bytes).unwrap();
    let err = cache.insert(temp, &sha(&bytes), 2999, "bad", "1.0").unwrap_err();
    assert!(matches!(err, CacheError::SizeMismatch { expected: 2999, actual: 3000, .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("2999") && message.contains("3000"), "{message}");
    assert_nothing_stored(dir.path(), &cache);
}

fn assert_nothing_stored(root: &Path, cache: &Cache) {
    assert!(cache.entries().unwrap().is_empty());
    assert_eq!(files_under(&root.join("packages")), Vec::<std::path::PathBuf>::new());
    assert_eq!(files_under(&root.join("tmp")), Vec::<std::path::PathBuf>::new(), "temporary file left behind");
}

#[test]
fn sha256_strings_that_are_not_64_lowercase_hex_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let bytes = payload(8, 10);
    for bad in [
        String::new(),
        "../../../etc/passwd".to_owned(),
        format!("../{}", "a".repeat(61)),
        sha(&bytes).to_uppercase(),
        sha(&bytes)[..63].to_owned(),
        format!("{}0", sha(&bytes)),
    ] {
        assert!(matches!(cache.get(&bad, 10), Err(CacheError::InvalidSha256(_))), "get accepted {bad:?}");
        assert!(matches!(cache.path_of(&bad), Err(CacheError::InvalidSha256(_))), "path_of accepted {bad:?}");
        let mut temp = cache.temp_file().unwrap();
        temp.write_all(&bytes).unwrap();
        let err = cache.insert(temp, &bad, 10, "x", "1").unwrap_err();
        assert!(matches!(err, CacheError::InvalidSha256(_)), "insert accepted {bad:?}");
        assert!(err.to_string().contains("64 lowercase hexadecimal"), "{err}");
    }
    assert_nothing_stored(dir.path(), &cache);
    assert_eq!(cache.stats().unwrap().misses, 0, "a refused key counted as a miss");
}

#[test]
fn cleanup_evicts_least_recently_used_first_down_to_max_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let [a, b, c, d] = [10, 11, 12, 13].map(|seed| payload(seed, 1000));
    for (bytes, name) in [(&a, "a"), (&b, "b"), (&c, "c"), (&d, "d")] {
        put(&cache, bytes, name, "1");
    }
    // Use order, oldest first: c, a, d, b (insertion order was a, b, c, d).
    for bytes in [&c, &a, &d, &b] {
        assert!(matches!(cache.get(&sha(bytes), 1000).unwrap(), Lookup::Hit(_)));
    }
    let names = |entries: Vec<revitpy_cache::EntryInfo>| entries.into_iter().map(|e| e.name).collect::<Vec<_>>();
    assert_eq!(names(cache.entries().unwrap()), ["c", "a", "d", "b"]);

    let report = cache.cleanup(Some(2500), None).unwrap();
    assert_eq!(names(report.removed.clone()), ["c", "a"]);
    assert_eq!((report.freed_bytes, report.remaining_entries, report.remaining_bytes), (2000, 2, 2000));
    assert!(report.not_removed.is_empty());
    assert_eq!(names(cache.entries().unwrap()), ["d", "b"]);
    assert!(!cache.path_of(&sha(&c)).unwrap().exists());
    assert!(!cache.path_of(&sha(&a)).unwrap().exists());
    assert!(matches!(cache.get(&sha(&d), 1000).unwrap(), Lookup::Hit(_)));
    assert_eq!(cache.get(&sha(&a), 1000).unwrap(), Lookup::Miss);

    // Now b is the least recently used.
    let report = cache.cleanup(Some(1000), None).unwrap();
    assert_eq!(names(report.removed), ["b"]);
    assert_eq!(names(cache.entries().unwrap()), ["d"]);

    // Under the limit: nothing to do.
    let report = cache.cleanup(Some(1000), None).unwrap();
    assert!(report.removed.is_empty());
    assert_eq!((report.freed_bytes, report.remaining_entries, report.remaining_bytes), (0, 1, 1000));
}

#[test]
fn max_age_zero_empties_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    for seed in 20..25 {
        let bytes = payload(seed, 500);
        put(&cache, &bytes, "p", &seed.to_string());
        assert!(matches!(cache.get(&sha(&bytes), 500).unwrap(), Lookup::Hit(_)));
    }
    let report = cache.cleanup(None, Some(0)).unwrap();
    assert_eq!(report.removed.len(), 5);
    assert_eq!((report.freed_bytes, report.remaining_entries, report.remaining_bytes), (2500, 0, 0));
    assert!(cache.entries().unwrap().is_empty());
    assert_eq!(files_under(&dir.path().join("packages")), Vec::<std::path::PathBuf>::new());
    // The counters are history, not content: they survive.
    assert_eq!(cache.stats().unwrap().hits, 5);
}

#[test]
fn max_age_removes_only_entries_unused_for_that_long() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let old = payload(30, 800);
    let fresh = payload(31, 900);
    put(&cache, &old, "old", "1");
    put(&cache, &fresh, "fresh", "1");
    age_entry(dir.path(), &sha(&old), 40);

    let report = cache.cleanup(None, Some(30)).unwrap();
    assert_eq!(report.removed.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["old"]);
    assert_eq!((report.remaining_entries, report.remaining_bytes), (1, 900));
    // A limit no entry can reach removes nothing.
    assert!(cache.cleanup(None, Some(u64::MAX)).unwrap().removed.is_empty());
    assert!(cache.cleanup(Some(u64::MAX), Some(30)).unwrap().removed.is_empty());
}

#[test]
fn open_cleanup_and_verify_leave_the_offline_index_alone() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    std::fs::create_dir_all(index.join("segments")).unwrap();
    std::fs::write(index.join("meta.json"), b"{\"serial\": 7}").unwrap();
    std::fs::write(index.join("segments").join("0001.idx"), payload(40, 2048)).unwrap();
    let before = files_under(&index).into_iter().map(|p| (std::fs::read(&p).unwrap(), p)).collect::<Vec<_>>();

    let cache = Cache::open(dir.path()).unwrap();
    put(&cache, &payload(41, 1000), "p", "1");
    cache.cleanup(Some(0), Some(0)).unwrap();
    cache.verify().unwrap();
    drop(cache);
    Cache::open(dir.path()).unwrap();

    let after = files_under(&index).into_iter().map(|p| (std::fs::read(&p).unwrap(), p)).collect::<Vec<_>>();
    assert_eq!(before, after);
}

#[test]
fn verify_finds_corrupt_missing_and_untracked_files() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let good = payload(50, 2000);
    let corrupt = payload(51, 2000);
    let missing = payload(52, 2000);
    put(&cache, &good, "good", "1");
    let corrupt_path = put(&cache, &corrupt, "corrupt", "1");
    let missing_path = put(&cache, &missing, "missing", "1");
    flip_byte(&corrupt_path, 0);
    std::fs::remove_file(&missing_path).unwrap();
    // Untracked: a valid-looking name with no row, a stray file in a shard
    // and one at the top of packages/.
    let untracked = payload(53, 100);
    let untracked_sha = sha(&untracked);
    let untracked_path = cache.path_of(&untracked_sha).unwrap();
    std::fs::create_dir_all(untracked_path.parent().unwrap()).unwrap();
    std::fs::write(&untracked_path, &untracked).unwrap();
    let good_shard = cache.path_of(&sha(&good)).unwrap().parent().unwrap().to_owned();
    std::fs::write(good_shard.join("stray.tmp"), b"x").unwrap();
    std::fs::write(dir.path().join("packages").join("README"), b"x").unwrap();

    let report = cache.verify().unwrap();
    assert_eq!(report.checked, 3);
    assert_eq!(report.corrupt.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["corrupt"]);
    assert_eq!(report.missing.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["missing"]);
    assert_eq!(report.untracked_removed, 3);

    assert!(!corrupt_path.exists());
    assert!(!untracked_path.exists());
    assert_eq!(files_under(&dir.path().join("packages")), [cache.path_of(&sha(&good)).unwrap()]);
    assert_eq!(cache.entries().unwrap().iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["good"]);

    // A second pass finds nothing more.
    let again = cache.verify().unwrap();
    assert_eq!((again.checked, again.corrupt.len(), again.missing.len(), again.untracked_removed), (1, 0, 0, 0));
}

#[test]
fn the_same_package_inserted_through_two_caches_leaves_one_intact_file() {
    let dir = tempfile::tempdir().unwrap();
    let first = Cache::open(dir.path()).unwrap();
    let second = Cache::open(dir.path()).unwrap();
    let bytes = payload(60, 50_000);
    let digest = sha(&bytes);
    let mut t1 = first.temp_file().unwrap();
    let mut t2 = second.temp_file().unwrap();
    t1.write_all(&bytes).unwrap();
    t2.write_all(&bytes).unwrap();
    let p1 = first.insert(t1, &digest, 50_000, "dup", "1").unwrap();
    let p2 = second.insert(t2, &digest, 50_000, "dup", "1").unwrap();
    assert_eq!(p1, p2);
    assert_eq!(std::fs::read(&p1).unwrap(), bytes);
    assert_eq!(files_under(&dir.path().join("packages")), [p1]);
    assert_eq!(files_under(&dir.path().join("tmp")), Vec::<std::path::PathBuf>::new());
    assert_eq!(first.entries().unwrap().len(), 1);
}

#[test]
fn insert_replaces_a_corrupt_file_of_the_same_name() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let bytes = payload(61, 3000);
    let path = put(&cache, &bytes, "p", "1");
    flip_byte(&path, 10);
    put(&cache, &bytes, "p", "1");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert!(matches!(cache.get(&sha(&bytes), 3000).unwrap(), Lookup::Hit(_)));
}

#[test]
fn a_reader_that_opened_a_file_before_cleanup_reads_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let bytes = payload(62, 300_000);
    put(&cache, &bytes, "p", "1");
    let Lookup::Hit(path) = cache.get(&sha(&bytes), 300_000).unwrap() else { panic!("not a hit") };
    let mut reader = std::fs::File::open(&path).unwrap();
    let mut head = vec![0u8; 1000];
    reader.read_exact(&mut head).unwrap();

    let report = cache.cleanup(None, Some(0)).unwrap();
    assert_eq!(report.removed.len(), 1);
    assert!(!path.exists());
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    head.extend(rest);
    assert_eq!(head, bytes);
    // A reader that comes later finds nothing, never a partial file.
    assert_eq!(std::fs::File::open(&path).unwrap_err().kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn stats_name_the_oldest_and_newest_entries() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    for (seed, name) in [(70, "first"), (71, "second"), (72, "third")] {
        put(&cache, &payload(seed, 100), name, "1");
    }
    // Use does not change which was added first.
    assert!(matches!(cache.get(&sha(&payload(70, 100)), 100).unwrap(), Lookup::Hit(_)));
    let stats = cache.stats().unwrap();
    assert_eq!((stats.entries, stats.bytes), (3, 300));
    assert_eq!(stats.oldest.unwrap().name, "first");
    assert_eq!(stats.newest.unwrap().name, "third");
}

#[test]
fn a_file_found_without_its_row_is_a_hit_and_gets_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let bytes = payload(80, 1234);
    let path = cache.path_of(&sha(&bytes)).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(cache.get(&sha(&bytes), 1234).unwrap(), Lookup::Hit(path));
    let entry = cache.entries().unwrap().remove(0);
    assert_eq!((entry.size, entry.uses, entry.name.as_str()), (1234, 1, ""));
}

#[test]
fn errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the cache's folder must go: nothing can be created there.
    let blocker = dir.path().join("cache");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let err = Cache::open(&blocker).err().expect("opened a cache inside a file");
    assert!(err.to_string().contains(&*blocker.to_string_lossy()), "{err}");
}

#[test]
fn a_row_whose_file_vanished_is_a_miss_and_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let bytes = payload(90, 777);
    let path = put(&cache, &bytes, "gone", "1");
    std::fs::remove_file(&path).unwrap();
    assert_eq!(cache.get(&sha(&bytes), 777).unwrap(), Lookup::Miss);
    assert!(cache.entries().unwrap().is_empty());
    assert_eq!(cache.stats().unwrap().bytes, 0);
}

#[test]
fn cleanup_removes_day_old_downloads_but_not_running_ones() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let running = cache.temp_file().unwrap();
    let stale = dir.path().join("tmp").join("download-crashed.part");
    let file = std::fs::File::create(&stale).unwrap();
    file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 24 * 60 * 60)).unwrap();
    drop(file);

    let report = cache.cleanup(None, None).unwrap();
    assert_eq!(report.stale_temp_removed, 1);
    assert!(!stale.exists());
    assert!(running.path().exists());
}
