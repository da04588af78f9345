-- clmrs-server schema version 1, as the first release made it: two devices,
-- a household pushed by device 1 at rev 1 and 2 (rev 2 from device 2, which
-- version 1 allowed), a child, and a publication.  test-sync-trust opens it
-- with today's server and checks the migration.
PRAGMA user_version = 1;
BEGIN TRANSACTION;
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_sha256 TEXT NOT NULL UNIQUE,
  all_communities INTEGER NOT NULL DEFAULT 0,
  enrolled TEXT NOT NULL,
  revoked TEXT);
CREATE TABLE IF NOT EXISTS device_communities (
  device_id TEXT NOT NULL REFERENCES devices (device_id),
  community_id TEXT NOT NULL,
  PRIMARY KEY (device_id, community_id));
CREATE TABLE IF NOT EXISTS enrol_codes (
  code_sha256 TEXT PRIMARY KEY,
  communities TEXT NOT NULL,
  created TEXT NOT NULL,
  expires INTEGER NOT NULL,
  used TEXT,
  device_id TEXT);
CREATE TABLE IF NOT EXISTS records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('record', 'form', 'rule_set')),
  id TEXT NOT NULL,
  rev INTEGER NOT NULL,
  type TEXT NOT NULL,
  community_id TEXT,
  pushed_by TEXT,
  sha256 TEXT NOT NULL,
  line BLOB NOT NULL,
  received TEXT NOT NULL,
  UNIQUE (kind, id, rev));
CREATE INDEX IF NOT EXISTS records_by_id ON records (id, rev);
CREATE TABLE IF NOT EXISTS conflicts (
  conflict INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  rev INTEGER NOT NULL,
  type TEXT NOT NULL,
  community_id TEXT NOT NULL,
  pushed_by TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  line BLOB NOT NULL,
  received TEXT NOT NULL,
  UNIQUE (id, rev, sha256));
CREATE TABLE IF NOT EXISTS idempotency (
  device_id TEXT NOT NULL,
  key TEXT NOT NULL,
  request_sha256 TEXT NOT NULL,
  response BLOB NOT NULL,
  created TEXT NOT NULL,
  PRIMARY KEY (device_id, key));
INSERT INTO devices VALUES ('d1111111-1111-4111-8111-111111111111', 'tablet 1', 'aa', 0, '2026-01-01T00:00:00Z', NULL);
INSERT INTO devices VALUES ('d2222222-2222-4222-8222-222222222222', 'tablet 2', 'bb', 0, '2026-01-01T00:00:00Z', NULL);
INSERT INTO device_communities VALUES ('d1111111-1111-4111-8111-111111111111', 'c1111111-1111-4111-8111-111111111111');
INSERT INTO device_communities VALUES ('d2222222-2222-4222-8222-222222222222', 'c1111111-1111-4111-8111-111111111111');
INSERT INTO records (kind, id, rev, type, community_id, pushed_by, sha256, line, received) VALUES
  ('form', 'household_visit', 1, 'form', NULL, NULL, 'f', '{"type":"form"}', '2026-01-01T00:00:00Z'),
  ('record', 'h1111111-1111-4111-8111-111111111111', 1, 'household', 'c1111111-1111-4111-8111-111111111111', 'd1111111-1111-4111-8111-111111111111', 'a', '{}', '2026-01-02T00:00:00Z'),
  ('record', 'h1111111-1111-4111-8111-111111111111', 2, 'household', 'c1111111-1111-4111-8111-111111111111', 'd2222222-2222-4222-8222-222222222222', 'b', '{}', '2026-01-03T00:00:00Z'),
  ('record', 'k1111111-1111-4111-8111-111111111111', 1, 'child', 'c1111111-1111-4111-8111-111111111111', 'd2222222-2222-4222-8222-222222222222', 'c', '{}', '2026-01-03T00:00:00Z');
COMMIT;
