-- ganexp schema v7: the status 'pruned', for trials a pruner stopped at a
-- rung (sweep files' prune:). SQLite cannot alter a CHECK constraint, and
-- copying the trials table would rewrite every view and foreign key that
-- names it. Widening the list of allowed values changes nothing stored,
-- so the table's declaration is edited in place, as SQLite's ALTER TABLE
-- documentation describes for such changes (§ "Making Other Kinds Of
-- Table Schema Changes"); checkPrunedAllowed (db.go) then makes every open
-- connection read the new declaration.

PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, '''failed'', ''interrupted'')', '''failed'', ''interrupted'', ''pruned'')')
 WHERE type = 'table' AND name = 'trials';
PRAGMA writable_schema = OFF;
