-- Placeholder for the lead's migration 004 (developed on another branch), so that this branch's migrations stay
-- numbered without gaps. DROP THIS FILE WHEN MERGING: the real 004 replaces it.
SELECT 1;
