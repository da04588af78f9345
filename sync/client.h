/* client.h: the device's sync client (libcurl): enrol, push the outbox, pull what the device needs. */
#pragma once

#include <gio/gio.h>

#include "keyring.h"
#include "store.h"

G_BEGIN_DECLS

#define CLMRS_SYNC_ERROR (clmrs_sync_error_quark ())

typedef enum {
  CLMRS_SYNC_ERROR_NOT_ENROLLED,  /* no server or token on this device */
  CLMRS_SYNC_ERROR_NETWORK,       /* no connection, dropped link, timeout (after retries) */
  CLMRS_SYNC_ERROR_TLS,           /* the server's certificate could not be verified */
  CLMRS_SYNC_ERROR_AUTH,          /* 401: the server does not know this device's token */
  CLMRS_SYNC_ERROR_REVOKED,       /* 403: the device was revoked */
  CLMRS_SYNC_ERROR_SERVER,        /* 5xx or 429 that outlasted the retries */
  CLMRS_SYNC_ERROR_PROTOCOL,      /* an answer that breaks docs/sync-protocol.md */
  CLMRS_SYNC_ERROR_REFUSED,       /* a 4xx the server explained (enrolment code, ...) */
  CLMRS_SYNC_ERROR_CANCELLED,
  CLMRS_SYNC_ERROR_STORE,         /* the local database failed */
  CLMRS_SYNC_ERROR_WIPED,         /* 403 device_wipe: revoked, and this device's data was erased */
  CLMRS_SYNC_ERROR_WRONG_PIN,     /* first sign-in: not the one-time PIN the server holds (or none waits) */
} ClmrsSyncError;

GQuark clmrs_sync_error_quark (void);

typedef struct {
  const char *server_url;         /* "https://hub:8443"; NULL = the one saved at enrolment */
  const char *cacert;             /* PEM file of CAs to trust, read when given (enrolment keeps its
                                   * bytes in the store); NULL = the saved ones, else the system's */
  gboolean    insecure;           /* no TLS verification: only by explicit option, with a warning */
  gboolean    insecure_http;      /* allow http:// to a server not on this machine (loopback always is) */
  gsize       batch_bytes;        /* envelope bytes per push before compression; 0 = 1 MiB (about 100 KiB gzip'd) */
  guint       max_attempts;       /* per request; 0 = 6 */
  guint       backoff_ms;         /* first retry delay, doubled each time, with jitter; 0 = 1000 */
  guint       connect_timeout_s;  /* 0 = 20 */
  guint       low_speed_time_s;   /* abort a transfer slower than 32 B/s for this long (libcurl averages over up to 5 s more); 0 = 60 */
  gsize       media_chunk_bytes;  /* bytes of a media file per request; 0 = 64 KiB */
} ClmrsSyncConfig;

typedef struct {
  guint64 records_sent;           /* envelopes acknowledged by the server */
  guint64 stored;
  guint64 duplicates;
  guint64 conflicts;
  guint64 rejected;
  guint64 pulled;                 /* records received and applied */
  guint64 pruned;                 /* acknowledged envelopes older than 30 days whose text was dropped */
  guint64 set_aside;              /* pulled records this device could not apply, kept aside (all, after the run) */
  guint64 bytes_up;               /* on the wire: request lines, headers, bodies */
  guint64 bytes_down;             /* on the wire: status lines, headers, bodies */
  guint   requests;
  guint   retries;
  gint64  queued_left;            /* still waiting after the run; -1 when the store could not say */
  guint64 media_sent;             /* media files the server now holds whole */
  guint64 media_bytes;            /* media bytes the server acknowledged in this run */
  gint64  media_left;             /* media files still waiting after the run; -1 when the store could not say */
  guint64 media_pruned;           /* media files the server held for 30 days whose bytes were dropped */
  double  seconds;
} ClmrsSyncReport;

typedef void (*ClmrsSyncProgressFunc) (const ClmrsSyncReport *so_far,
                                       gpointer               user_data);

/* GET /api/v1/health: TRUE when a CLMRS server answers at @config's URL
 * (a captive portal or any other answer is an error saying so). */
gboolean clmrs_sync_check_health (ClmrsStore             *store,
                                  const ClmrsSyncConfig  *config,
                                  char                  **server_version,
                                  GError                **error);

/* The same in two steps, for a thread without the store: the server's
 * address, certificates and token read from @store (on its thread),
 * then the request (on any). */
typedef struct _ClmrsSyncTarget ClmrsSyncTarget;

ClmrsSyncTarget *clmrs_sync_target_read        (ClmrsStore             *store,
                                                const ClmrsSyncConfig  *config,
                                                GError                **error);
gboolean         clmrs_sync_target_check_health (ClmrsSyncTarget       *target,
                                                char                  **server_version,
                                                GError                **error);
void             clmrs_sync_target_free        (ClmrsSyncTarget        *target);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsSyncTarget, clmrs_sync_target_free)

/* Enrols this device with a one-time code; saves the server URL, the CA
 * certificates (the PEM bytes of config->cacert, not its path) and the
 * token in the store (the token is never printed or logged).  The
 * device's people go along (a device set up offline declares them), and
 * the people the server answers are applied.  A device
 * enrolling again with the same server sends its current token, which the
 * server then revokes. */
gboolean clmrs_sync_enrol       (ClmrsStore             *store,
                                  const ClmrsSyncConfig  *config,
                                  const char             *code,
                                  const char             *device_name,
                                  GError                **error);

/* Pushes every queued record in batches, then the media files of the
 * visits the server acknowledged, in chunks (a dropped link resumes at
 * the last chunk acknowledged), pulls until the server has nothing more,
 * then applies the people of the device's communities (GET
 * /api/v1/people).  A record or a file leaves the queue only when the
 * server answered for it.  TRUE only when both queues are empty and the
 * pull complete (a file the server refuses, too large for it, is named in
 * @error after the pull). */
gboolean clmrs_sync_run          (ClmrsStore             *store,
                                  const ClmrsSyncConfig  *config,
                                  GCancellable           *cancellable,
                                  ClmrsSyncProgressFunc   progress,
                                  gpointer                user_data,
                                  ClmrsSyncReport        *report,
                                  GError                **error);

/* A person's first sign-in on this device with the one-time PIN the
 * administrator gave (POST /api/v1/first-sign-in, no token: nobody can
 * open the database yet): @server_url, @ca_pem and @device_id from the
 * keyring (clmrs_device_arrival_server()).  The server spends the
 * one-time PIN and answers the device's unlock secret into @secret;
 * CLMRS_SYNC_ERROR_WRONG_PIN when it is not the PIN (counted there). */
gboolean clmrs_sync_first_sign_in (const char           *server_url,
                                  const char            *ca_pem,
                                  const char            *device_id,
                                  const char            *person_id,
                                  const char            *one_time_pin,
                                  guint8                 secret[CLMRS_KEYRING_KEY_BYTES],
                                  GError               **error);

/* The app's sync connection (docs/architecture.md, "Threads"): a store of
 * its own beside the database worker's, opened by the worker the way it
 * opened its own and kept while someone is signed in, which the network
 * jobs (a sync, an enrolment) use one at a time, each on its thread.
 * Writers of the two connections take turns (clmrs_store_begin()). */
typedef struct _ClmrsSyncConnection ClmrsSyncConnection;

/* Takes @store. */
ClmrsSyncConnection *clmrs_sync_connection_new   (ClmrsStore          *store);
ClmrsSyncConnection *clmrs_sync_connection_ref   (ClmrsSyncConnection *connection);
/* The store closes with the last reference. */
void                 clmrs_sync_connection_unref (ClmrsSyncConnection *connection);
/* The store, for the calling thread only until clmrs_sync_connection_unlock():
 * waits while another job uses it.  Never on the main thread. */
ClmrsStore          *clmrs_sync_connection_lock  (ClmrsSyncConnection *connection);
void                 clmrs_sync_connection_unlock (ClmrsSyncConnection *connection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsSyncConnection, clmrs_sync_connection_unref)

/* clmrs_sync_run() off the calling thread, for the app: on a GTask thread,
 * with @connection's store; @progress is called in the caller's main
 * context.  A cancelled run finishes with G_IO_ERROR_CANCELLED when GTask
 * saw the cancellation first, else CLMRS_SYNC_ERROR_CANCELLED: check both
 * (what the server acknowledged before the cancel has left the queue; the
 * rest is still queued). */
void     clmrs_sync_run_async    (ClmrsSyncConnection    *connection,
                                  const ClmrsSyncConfig  *config,
                                  GCancellable           *cancellable,
                                  ClmrsSyncProgressFunc   progress,
                                  gpointer                progress_data,
                                  GAsyncReadyCallback     callback,
                                  gpointer                user_data);
gboolean clmrs_sync_run_finish   (GAsyncResult           *result,
                                  ClmrsSyncReport        *report,
                                  GError                **error);

G_END_DECLS
