-- Issue 21: a version's detached signature (SSHSIG, in `digital_signature`)
-- names the key that made it: its SHA256 fingerprint, as OpenSSH prints it.
ALTER TABLE versions ADD COLUMN signature_key_id TEXT;
