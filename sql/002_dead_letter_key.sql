-- reportflow schema, migration 2: a dead letter is known by its own key, not by
-- where it sat in Kafka. (topic, partition, offset) repeats when a topic is
-- recreated or the embedded broker restarts, and ON CONFLICT on it dropped new
-- dead letters silently. letter_key is the SHA-256 of the record's coordinates,
-- its timestamp and its payload: a replay of the same record has the same key,
-- a new record at a reused offset has another timestamp, hence another key.
-- file_name_raw keeps a file name's bytes when they are not UTF-8 (file_name
-- then holds them lossy-decoded).

ALTER TABLE dead_letters ADD COLUMN letter_key text;
ALTER TABLE dead_letters ADD COLUMN file_name_raw bytea;
UPDATE dead_letters SET letter_key = 'legacy:' || id WHERE letter_key IS NULL;
ALTER TABLE dead_letters ALTER COLUMN letter_key SET NOT NULL;
ALTER TABLE dead_letters ADD CONSTRAINT dead_letters_letter_key UNIQUE (letter_key);
ALTER TABLE dead_letters
    DROP CONSTRAINT IF EXISTS dead_letters_source_topic_source_partition_source_offset_key;
CREATE INDEX dead_letters_source ON dead_letters (source_topic, source_partition, source_offset);
