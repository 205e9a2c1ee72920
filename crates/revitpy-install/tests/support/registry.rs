//! The real registry, started in-process from its library on a free port.

use std::path::Path;

pub const ADMIN: &str = "story-admin-token";

pub struct Registry {
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Registry {
    pub fn start(data: &Path) -> Registry {
        Registry::start_with(data, Some(revitpy_scan::report::Severity::Critical))
    }

    /// With the server's upload policy (`SCAN_BLOCK_SEVERITY`; `None` refuses nothing).
    pub fn start_with(data: &Path, scan_block: Option<revitpy_scan::report::Severity>) -> Registry {
        let storage = revitpy_registry::settings::StorageArgs::in_dir(data);
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let parts = revitpy_registry::app::open(&storage).await.unwrap();
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let options = revitpy_registry::serve::Options {
                    admin_token: Some(ADMIN.into()),
                    max_upload_bytes: 100 * 1024 * 1024,
                    cdn_base_url: None,
                    scan_block,
                    metrics: true,
                    snapshot_max_lag: 1000,
                };
                revitpy_registry::serve::serve(listener, parts, options, async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
            });
        });
        let addr = addr_rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap();
        Registry { base: format!("http://{addr}"), stop: Some(stop_tx), thread: Some(thread) }
    }

    pub fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}
