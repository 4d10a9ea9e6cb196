/* headers.h - Kafka header names shared by producer, worker and sink (docs/DESIGN.md "Kafka"). */
#ifndef RF_HEADERS_H
#define RF_HEADERS_H

/* reports.raw */
#define RF_HDR_FILE_NAME "file.name"         /* UTF-8 text: bytes that are not UTF-8 as U+FFFD */
#define RF_HDR_FILE_NAME_RAW "file.name.raw" /* the name's exact bytes, %XX-escaped ASCII */
#define RF_HDR_FILE_SIZE "file.size"
#define RF_HDR_FILE_MTIME "file.mtime"
#define RF_HDR_DROPPED_AT "dropped.at"

/* a raw report copied onto a reprocessing topic (tools/reprocess.c): where its record lives
   in the raw topic, "TOPIC:PARTITION:OFFSET", so its extraction points at the record, not
   at the copy */
#define RF_HDR_ORIGIN "raw.origin"

/* reports.dlq, after Kafka Connect's dead-letter convention */
#define RF_HDR_STAGE "stage"
#define RF_HDR_ERROR_CODE "error.code"
#define RF_HDR_ERROR_TEXT "error.text"
#define RF_HDR_ATTEMPT "attempt"

#endif
