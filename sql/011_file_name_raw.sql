-- 011: a file name's bytes beside the document, as dead_letters has had since 002.
-- documents.file_name is UTF-8 text (bytes of a GBK or Latin-1 name become U+FFFD); when
-- the name is not UTF-8, file_name_raw keeps its exact bytes, from the producer's
-- file.name.raw header carried in the envelope as source.file_name_raw. NULL: the name is
-- UTF-8 (file_name is exact), or the envelope did not carry the bytes.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS file_name_raw bytea;
COMMENT ON COLUMN documents.file_name_raw IS
    'the file name''s bytes when they are not UTF-8 (file_name then holds them lossy-decoded)';
