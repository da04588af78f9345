-- Schema version 0: a database file that exists but holds nothing yet
-- (what sqlite3_open leaves behind, or a device whose first start was cut).
PRAGMA user_version = 0;
