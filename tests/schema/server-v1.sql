-- clmrs-server schema version 1 (before devices.last_contact, last_address,
-- queue_size), with two devices (one revoked, scoped to all communities),
-- a used enrolment code and one record: test-server-door opens it to prove
-- the migration to version 2 keeps everything.
PRAGMA user_version = 1;
BEGIN TRANSACTION;
CREATE TABLE IF NOT EXISTS devices (  device_id TEXT PRIMARY KEY,  name TEXT NOT NULL,  token_sha256 TEXT NOT NULL UNIQUE,  all_communities INTEGER NOT NULL DEFAULT 0,  enrolled TEXT NOT NULL,  revoked TEXT);
CREATE TABLE IF NOT EXISTS device_communities (  device_id TEXT NOT NULL REFERENCES devices (device_id),  community_id TEXT NOT NULL,  PRIMARY KEY (device_id, community_id));
CREATE TABLE IF NOT EXISTS enrol_codes (  code_sha256 TEXT PRIMARY KEY,  communities TEXT NOT NULL,  created TEXT NOT NULL,  expires INTEGER NOT NULL,  used TEXT,  device_id TEXT);
CREATE TABLE IF NOT EXISTS records (  seq INTEGER PRIMARY KEY AUTOINCREMENT,  kind TEXT NOT NULL CHECK (kind IN ('record', 'form', 'rule_set')),  id TEXT NOT NULL,  rev INTEGER NOT NULL,  type TEXT NOT NULL,  community_id TEXT,  pushed_by TEXT,  sha256 TEXT NOT NULL,  line BLOB NOT NULL,  received TEXT NOT NULL,  UNIQUE (kind, id, rev));
CREATE INDEX IF NOT EXISTS records_by_id ON records (id, rev);
CREATE TABLE IF NOT EXISTS conflicts (  conflict INTEGER PRIMARY KEY AUTOINCREMENT,  id TEXT NOT NULL,  rev INTEGER NOT NULL,  type TEXT NOT NULL,  community_id TEXT NOT NULL,  pushed_by TEXT NOT NULL,  sha256 TEXT NOT NULL,  line BLOB NOT NULL,  received TEXT NOT NULL,  UNIQUE (id, rev, sha256));
CREATE TABLE IF NOT EXISTS idempotency (  device_id TEXT NOT NULL,  key TEXT NOT NULL,  request_sha256 TEXT NOT NULL,  response BLOB NOT NULL,  created TEXT NOT NULL,  PRIMARY KEY (device_id, key));
INSERT INTO devices VALUES ('380cc310-15e3-4325-9422-cfeaea6e4d30', 'Tablet 7, Assin Fosu', '6db2360b7e2eedc4f9bef0c806bf1b866b9cd5a690c33fba819bbcb646beb24d', 0, '2026-11-23T09:00:00Z', NULL);
INSERT INTO devices VALUES ('9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', 'Old tablet', '20a1c8452648db2631b6b3edd2d527db1844dd3ad5380e05cfa78f3dcbb16ba9', 1, '2026-10-01T08:00:00Z', '2026-11-01T08:00:00Z');
INSERT INTO device_communities VALUES ('380cc310-15e3-4325-9422-cfeaea6e4d30', '11111111-1111-4111-8111-111111111111');
INSERT INTO enrol_codes VALUES ('91ea5dae320dae75e4f68fd856061393c8dfb58791da9d640a26f4742ca2c751', '11111111-1111-4111-8111-111111111111', '2026-11-22T09:00:00Z', 1795000000, '2026-11-23T09:00:00Z', '380cc310-15e3-4325-9422-cfeaea6e4d30');
INSERT INTO records (seq, kind, id, rev, type, community_id, pushed_by, sha256, line, received) VALUES (1, 'record', '2d119e64-d8f5-4e50-bb4c-a90daf91d997', 1, 'household', '11111111-1111-4111-8111-111111111111', '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', 'a8a6c3724931df129936477c986cebc4581ee7d7358f779264ea37531afb2285', CAST('{"v":1,"id":"2d119e64-d8f5-4e50-bb4c-a90daf91d997","type":"household","rev":1,"device_id":"22222222-2222-4222-8222-222222222222","author":"33333333-3333-4333-8333-333333333333","community_id":"11111111-1111-4111-8111-111111111111","created":"2026-11-23T09:00:00Z","modified":"2026-11-23T09:00:00Z","schema":"clmrs.household@1","rules":null,"body":{"head_name":"Kofi Boateng","head_sex":"male"}}' AS BLOB), '2026-10-02T08:00:00Z');
COMMIT;
