/* server.h: clmrs-server's store (SQLite or PostgreSQL, server-store.h) and HTTP front (libmicrohttpd). */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "server-store.h"
#include <stdio.h>

G_BEGIN_DECLS

/* Exit statuses of every subcommand (documented in `clmrs-server --help`). */
enum {
  SERVER_EXIT_OK = 0,
  SERVER_EXIT_FAILURE = 1,   /* database, I/O, network */
  SERVER_EXIT_USAGE = 2,     /* bad options or arguments */
  SERVER_EXIT_DATA = 3,      /* bad input: a file to publish, an unknown device */
};

#define SERVER_ERROR (server_error_quark ())
GQuark server_error_quark (void);

/* Each error maps to an HTTP status and the protocol's "code" string
 * (server-http.c); the administrative commands map them to exit codes. */
typedef enum {
  SERVER_ERROR_INTERNAL,              /* 500 internal_error */
  SERVER_ERROR_BAD_REQUEST,           /* 400 bad_request */
  SERVER_ERROR_MALFORMED_JSON,        /* 400 malformed_json */
  SERVER_ERROR_INVALID_ENVELOPE,      /* 400 invalid_envelope */
  SERVER_ERROR_MALFORMED_GZIP,        /* 400 malformed_gzip */
  SERVER_ERROR_UNSUPPORTED_ENCODING,  /* 415 unsupported_encoding */
  SERVER_ERROR_TOO_LARGE,             /* 413 too_large */
  SERVER_ERROR_UNAUTHORIZED,          /* 401 unauthorized */
  SERVER_ERROR_REVOKED,               /* 403 device_revoked */
  SERVER_ERROR_WIPE,                  /* 403 device_wipe: revoked, and told to erase its data */
  SERVER_ERROR_NOT_FOUND,             /* 404 not_found */
  SERVER_ERROR_METHOD,                /* 405 method_not_allowed */
  SERVER_ERROR_INVALID_CODE,          /* 401 invalid_code */
  SERVER_ERROR_CODE_USED,             /* 410 code_used */
  SERVER_ERROR_CODE_EXPIRED,          /* 410 code_expired */
  SERVER_ERROR_IDEMPOTENCY,           /* 422 idempotency_key_reused */
  SERVER_ERROR_RATE,                  /* 429 rate_limited */
  SERVER_ERROR_BUSY,                  /* 503 busy */
  SERVER_ERROR_INVALID_FILE,          /* publish: not a form or rule set */
  SERVER_ERROR_UNKNOWN_DEVICE,        /* revoke-device: no such device */
  SERVER_ERROR_CURSOR_AHEAD,          /* 409 cursor_ahead: a pull cursor past the newest record */
  SERVER_ERROR_STORAGE,               /* 507 insufficient_storage: the disk (or database) is full */
} ServerError;

#define SERVER_NAME "clmrs-server"

/* Pull paging defaults. */
#define SERVER_PULL_MAX_RECORDS 500
#define SERVER_PULL_MAX_BYTES   (1024 * 1024)

/* How far a pushed rev may run ahead of the stored one: a device makes one
 * revision at a time, so a jump to 9223372036854775807 (which would pin
 * the record above every later real edit) is refused. */
#define SERVER_MAX_REV_STEP 100

ServerDb *server_db_open            (const char  *path,
                                     GError     **error);
void      server_db_close           (ServerDb    *db);

/* Administration. */
char     *server_db_make_code       (ServerDb    *db,
                                     const char  *communities,
                                     gint64       lifetime_seconds,
                                     GError     **error);
gboolean  server_db_revoke          (ServerDb    *db,
                                     const char  *device_id,
                                     gboolean     wipe,
                                     const char  *reason,
                                     GError     **error);
/* @media: the files the form refers to as jr://file/NAME (paths, or
 * folders whose every file is taken), NULL for none. */
char     *server_db_publish         (ServerDb    *db,
                                     const char  *path,
                                     const char * const *media,
                                     GError     **error);
JsonNode *server_db_publications    (ServerDb    *db,
                                     GError     **error);
char     *server_db_publication_content (ServerDb    *db,
                                         const char  *kind,
                                         const char  *id,
                                         const char  *version,
                                         GError     **error);
/* Exports (server-export.c): told the records written so far, of @total. */
typedef void (*ServerExportProgress) (guint64  done,
                                      guint64  total,
                                      gpointer user_data);

gboolean  server_db_export_ndjson   (ServerDb             *db,
                                     FILE                 *out,
                                     gint64                since,
                                     gint64               *cursor,
                                     ServerExportProgress  progress,
                                     gpointer              progress_data,
                                     GError              **error);
gboolean  server_db_export_csv      (ServerDb             *db,
                                     const char           *dir,
                                     gint64                since,
                                     gint64               *cursor,
                                     ServerExportProgress  progress,
                                     gpointer              progress_data,
                                     GError              **error);
char     *server_db_indicators_json (ServerDb    *db,
                                     const char  *from,
                                     const char  *to,
                                     GError     **error);
char     *server_db_indicators_replay_json (ServerDb    *db,
                                            const char  *from,
                                            const char  *to,
                                            GError     **error);

/* The derived store (server-derived.c): the records applied to a device
 * store beside the database, by the devices' own code. */
typedef void (*ServerProgressFunc) (guint64  done,
                                    gpointer user_data);

char     *server_derived_path       (ServerDb           *db,
                                     GError            **error);
gboolean  server_derived_update     (ServerDb           *db,
                                     gboolean            wait,
                                     gboolean            rebuild,
                                     ServerProgressFunc  progress,
                                     gpointer            progress_data,
                                     GCancellable       *cancellable,
                                     gboolean           *updated,
                                     GError            **error);

gboolean  server_derived_applied_seq (ServerDb          *db,
                                      gint64            *applied,
                                      GError           **error);

/* `serve`'s thread that applies pushed records to the derived store. */
typedef struct _ServerApplier ServerApplier;

ServerApplier *server_applier_start (const char    *db_path);
void           server_applier_poke  (ServerApplier *applier);
void           server_applier_stop  (ServerApplier *applier);
char     *server_db_stats_json      (ServerDb    *db,
                                     GError     **error);
gboolean  server_db_quarantine      (ServerDb    *db,
                                     const char  *id,
                                     gboolean     quarantine,
                                     const char  *reason,
                                     GError     **error);
gboolean  server_db_delete_record   (ServerDb    *db,
                                     const char  *id,
                                     const char  *reason,
                                     GError     **error);
gint64    server_db_hand_over       (ServerDb    *db,
                                     const char  *from,
                                     const char  *to,
                                     const char  *record_id,
                                     const char  *reason,
                                     GError     **error);
gboolean  server_db_audit           (ServerDb    *db,
                                     const char  *person,
                                     gboolean     json,
                                     FILE        *out,
                                     GError     **error);
gboolean  server_db_report_problems (ServerDb    *db,
                                     const char  *device_id,
                                     JsonNode    *report,
                                     guint       *recorded,
                                     GError     **error);
gboolean  server_db_problems        (ServerDb    *db,
                                     gboolean     json,
                                     FILE        *out,
                                     GError     **error);
gboolean  server_db_admin_log       (ServerDb    *db,
                                     gboolean     json,
                                     FILE        *out,
                                     GError     **error);
char     *server_db_devices         (ServerDb    *db,
                                     gboolean     json,
                                     GError     **error);
char     *server_db_people_add      (ServerDb    *db,
                                     const char  *person_id,
                                     const char  *name,
                                     const char  *sex,
                                     const char  *role,
                                     const char  *communities,
                                     char       **one_time_pin,
                                     GError     **error);
char     *server_db_people_list     (ServerDb    *db,
                                     gboolean     json,
                                     GError     **error);
gboolean  server_db_people_disable  (ServerDb    *db,
                                     const char  *person_id,
                                     const char  *reason,
                                     GError     **error);
gboolean  server_db_people_set_role (ServerDb    *db,
                                     const char  *person_id,
                                     const char  *role,
                                     const char  *reason,
                                     GError     **error);
gboolean  server_db_backup          (ServerDb    *db,
                                     const char  *to,
                                     gint        *pages,
                                     GError     **error);
gboolean  server_db_prune           (ServerDb    *db,
                                     gint64       max_age_seconds,
                                     GError     **error);

/* Protocol operations; each returns a JSON body or NULL with an error. */
/* @people: (nullable): the enrolment request's `people` member, checked
 * with server_people_check_declared() */
char     *server_db_enrol           (ServerDb    *db,
                                     const char  *code,
                                     const char  *device_name,
                                     const char  *old_token,
                                     JsonNode    *people,
                                     GError     **error);
/* The `people` member of an enrolment request: {id, name, sex} objects. */
gboolean  server_people_check_declared (JsonNode  *people,
                                        GError   **error);
/* The device's unlock secret (32 random bytes, made on first ask), in
 * base64: GET /api/v1/unlock-secret. */
char     *server_db_unlock_secret   (ServerDb    *db,
                                     const char  *device_id,
                                     GError     **error);
/* A person's first sign-in on @device_id with the one-time PIN the
 * administrator gave: spends it and returns the device's unlock secret
 * (base64).  POST /api/v1/first-sign-in. */
char     *server_db_first_sign_in   (ServerDb    *db,
                                     const char  *device_id,
                                     const char  *person_id,
                                     const char  *one_time_pin,
                                     GError     **error);
char     *server_db_people_json     (ServerDb    *db,
                                     const char  *device_id,
                                     GError     **error);
char     *server_db_authenticate    (ServerDb    *db,
                                     const char  *token,
                                     GError     **error);
gboolean  server_db_note_contact    (ServerDb    *db,
                                     const char  *device_id,
                                     const char  *address,
                                     gint64       queue_size,
                                     GError     **error);
char     *server_db_push            (ServerDb    *db,
                                     const char  *device_id,
                                     const char  *idempotency_key,
                                     const char  *ndjson,
                                     gsize        length,
                                     gboolean     minimal,
                                     gboolean    *replayed,
                                     GError     **error);
GBytes   *server_db_pull            (ServerDb    *db,
                                     const char  *device_id,
                                     gint64       cursor,
                                     guint        max_records,
                                     gsize        max_bytes,
                                     gint64      *next_cursor,
                                     gboolean    *has_more,
                                     guint       *count,
                                     GError     **error);

typedef struct {
  char   *listen;          /* HOST:PORT */
  char   *db_path;
  char   *tls_cert;
  char   *tls_key;
  gsize   max_body;        /* compressed request body */
  gsize   max_inflated;    /* decompressed request body */
  double  rate;            /* requests a second per client; 0 = unlimited */
  guint   pull_max_records;
  gsize   pull_max_bytes;
  gsize   max_inflight;    /* request body bytes buffered across every connection */
  guint   per_address_connections;
  guint   idle_timeout;    /* seconds a connection may stay silent */
  gboolean insecure_http;  /* plain HTTP on a non-loopback address, by choice */
  char    *recovery_public_key;  /* base64, given to devices at enrolment; NULL: none */
  gsize    max_media;      /* one media file, whole */
} ServerConfig;

int       server_http_run           (ServerConfig *config);

/* Media files (server-media.c): a chunk of one file, as a device sends it
 * (POST /api/v1/media/ID, docs/sync-protocol.md "Media"). */
typedef struct {
  const char *media_id;
  const char *record_id;   /* the visit it answers */
  const char *ref;         /* the question */
  const char *name;        /* the answer's file name */
  const char *mime;
  const char *sha256;      /* of the whole file, hex */
  gint64      size;        /* of the whole file */
  gint64      offset;      /* of this chunk */
  const void *data;
  gsize       length;
} ServerMediaChunk;

#define SERVER_MEDIA_MAX (8 * 1024 * 1024)   /* --max-media's default */

/* Refused (TOO_LARGE, saying both sizes) above @max_media. */
gboolean  server_media_check_size   (const char             *media_id,
                                     gint64                  size,
                                     gsize                   max_media,
                                     GError                **error);
/* Stores @chunk for a visit @device_id pushed and may see; returns the
 * answer {"id","received","size","complete"}. */
char     *server_media_put_chunk    (ServerDb               *db,
                                     const char             *device_id,
                                     const ServerMediaChunk *chunk,
                                     gsize                   max_media,
                                     GError                **error);
/* `clmrs-server export-media`: every whole file as DIR/<record id>/<name>. */
gboolean  server_media_export       (ServerDb               *db,
                                     const char             *dir,
                                     guint                  *count,
                                     GError                **error);

G_END_DECLS
