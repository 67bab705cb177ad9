-- How the public reaches an agency's one-stop desk (Điều 18.1): its address, hotline, email
-- and opening hours, shown on the portal's home page and on each procedure's page.
ALTER TABLE agencies ADD COLUMN address TEXT;
ALTER TABLE agencies ADD COLUMN hotline TEXT;
ALTER TABLE agencies ADD COLUMN email TEXT;
ALTER TABLE agencies ADD COLUMN hours TEXT;
