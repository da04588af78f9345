/* client.c: the device's sync client (libcurl): enrol, push the outbox, pull what the device needs. */
#define G_LOG_DOMAIN "clmrs-sync"

#include "client.h"

#include "cases.h"
#include "device.h"
#include "media.h"
#include "outbox.h"

#include "record.h"
#include "retention.h"
#include "syncstore.h"
#include "util.h"
#include "wire.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (clmrs-sync-error-quark, clmrs_sync_error)

/* Limits on what the client accepts from a server. */
#define MAX_RESPONSE_BYTES   (8 * 1024 * 1024)     /* compressed */
#define MAX_INFLATED_BYTES   (64 * 1024 * 1024)
#define MAX_RECORDS_PER_PUSH 1000
#define MAX_RETRY_AFTER_S    300
#define MAX_BACKOFF_MS       60000
#define MEDIA_CHUNK_BYTES    (64 * 1024)

typedef struct {
  long        status;
  GByteArray *body;
  char       *retry_after;
  char       *cursor;
  char       *has_more;
  char       *content_encoding;
  gboolean    too_large;
  gboolean    headers_done;   /* the blank line after the headers arrived */
} Response;

typedef struct {
  ClmrsStore            *store;
  CURL                  *curl;
  char                  *url;
  GBytes                *ca_pem;      /* CA certificates to trust (PEM), or NULL */
  char                  *cacert_path; /* a CA file path saved by an older version, or NULL */
  char                  *token;
  gboolean               insecure;
  gsize                  batch_bytes;
  guint                  max_attempts;
  guint                  backoff_ms;
  guint                  connect_timeout_s;
  guint                  low_speed_time_s;
  gsize                  media_chunk_bytes;
  char                  *media_refused;   /* the server's word on a file it would not take, or NULL */
  GCancellable          *cancellable;
  ClmrsSyncProgressFunc  progress;
  gpointer               progress_data;
  ClmrsSyncReport       *report;
  gint64                 started;
} Client;

static void
response_clear (Response *r)
{
  g_clear_pointer (&r->body, g_byte_array_unref);
  g_clear_pointer (&r->retry_after, g_free);
  g_clear_pointer (&r->cursor, g_free);
  g_clear_pointer (&r->has_more, g_free);
  g_clear_pointer (&r->content_encoding, g_free);
  r->status = 0;
  r->too_large = FALSE;
  r->headers_done = FALSE;
}

static void
ensure_curl (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&once, 1);
    }
}

static size_t
on_body (char *data, size_t size, size_t n, void *user_data)
{
  Response *r = user_data;

  if (r->body->len + size * n > MAX_RESPONSE_BYTES)
    {
      r->too_large = TRUE;
      return 0;  /* aborts the transfer */
    }
  g_byte_array_append (r->body, (const guint8 *) data, size * n);
  return size * n;
}

static size_t
on_header (char *data, size_t size, size_t n, void *user_data)
{
  Response *r = user_data;
  gsize len = size * n;
  g_autofree char *line = g_strndup (data, len);
  char *colon = strchr (line, ':');
  char **slot = NULL;

  if (colon == NULL)
    {
      if (*g_strstrip (line) == '\0')
        r->headers_done = TRUE;
      /* a new status line (after a redirect or 100-continue): start over */
      if (g_str_has_prefix (line, "HTTP/"))
        {
          r->headers_done = FALSE;
          g_clear_pointer (&r->retry_after, g_free);
          g_clear_pointer (&r->cursor, g_free);
          g_clear_pointer (&r->has_more, g_free);
          g_clear_pointer (&r->content_encoding, g_free);
        }
      return len;
    }
  *colon = '\0';
  if (g_ascii_strcasecmp (line, "Retry-After") == 0)
    slot = &r->retry_after;
  else if (g_ascii_strcasecmp (line, "X-Clmrs-Cursor") == 0)
    slot = &r->cursor;
  else if (g_ascii_strcasecmp (line, "X-Clmrs-Has-More") == 0)
    slot = &r->has_more;
  else if (g_ascii_strcasecmp (line, "Content-Encoding") == 0)
    slot = &r->content_encoding;
  if (slot != NULL)
    {
      g_free (*slot);
      *slot = g_strstrip (g_strdup (colon + 1));
    }
  return len;
}

static int
on_progress (void *user_data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  Client *c = user_data;

  return g_cancellable_is_cancelled (c->cancellable) ? 1 : 0;
}

/* Counts what goes out as it is sent: request line, headers and body.
 * (CURLINFO_REQUEST_SIZE already holds the part of a small body sent with
 * the headers, so adding CURLINFO_SIZE_UPLOAD to it counts that twice.) */
static int
on_debug (CURL *curl, curl_infotype type, char *data, size_t size, void *user_data)
{
  Client *c = user_data;

  if (type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT)
    c->report->bytes_up += size;
  return 0;
}

static void
report_progress (Client *c)
{
  c->report->seconds = (g_get_monotonic_time () - c->started) / 1e6;
  if (c->progress != NULL)
    c->progress (c->report, c->progress_data);
}

/* The error code of a JSON error body ("cursor_ahead"), or NULL. */
static char *
error_code (const Response *r)
{
  g_autofree char *message = NULL;
  char *code = NULL;

  if (r->body == NULL || !clmrs_wire_error_parse ((const char *) r->body->data, r->body->len, &code, &message))
    return NULL;
  return code;
}

/* The message of an error body {"error": {"code", "message"}}, or the
 * start of whatever else came back. */
static char *
error_message (const Response *r)
{
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;

  if (r->body != NULL && clmrs_wire_error_parse ((const char *) r->body->data, r->body->len, &code, &message))
    return g_strdup_printf ("%s (%s)", message, code);
  if (r->body == NULL || r->body->len == 0)
    return g_strdup_printf ("HTTP %ld with no explanation", r->status);
  return g_strdup_printf ("HTTP %ld: %.*s", r->status, (int) MIN (r->body->len, 120), r->body->data);
}

/* One HTTP exchange.  FALSE with @transient set for errors worth retrying. */
static gboolean
exchange (Client        *c,
          const char    *method,
          const char    *path,
          const char    *content_type,
          const char   **extra_headers,
          GBytes        *body,
          Response      *r,
          gboolean      *transient,
          GError       **error)
{
  g_autofree char *url = g_strconcat (c->url, path, NULL);
  g_autofree char *auth = c->token ? g_strconcat ("Authorization: Bearer ", c->token, NULL) : NULL;
  g_autofree char *type = content_type ? g_strconcat ("Content-Type: ", content_type, NULL) : NULL;
  g_autofree char *queue = NULL;
  struct curl_slist *headers = NULL;
  char curl_error[CURL_ERROR_SIZE] = "";
  CURLcode code;
  curl_off_t down = 0;
  long header_size = 0;

  response_clear (r);
  r->body = g_byte_array_new ();
  *transient = FALSE;

  curl_easy_reset (c->curl);
  curl_easy_setopt (c->curl, CURLOPT_URL, url);
  curl_easy_setopt (c->curl, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt (c->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (c->curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (c->curl, CURLOPT_CONNECTTIMEOUT, (long) c->connect_timeout_s);
  /* a dead link is noticed: slower than 32 B/s for this long aborts */
  curl_easy_setopt (c->curl, CURLOPT_LOW_SPEED_LIMIT, 32L);
  curl_easy_setopt (c->curl, CURLOPT_LOW_SPEED_TIME, (long) c->low_speed_time_s);
  curl_easy_setopt (c->curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt (c->curl, CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
  curl_easy_setopt (c->curl, CURLOPT_SSL_VERIFYHOST, c->insecure ? 0L : 2L);
  if (c->ca_pem != NULL)
    {
      gsize length;
      struct curl_blob blob = { (void *) g_bytes_get_data (c->ca_pem, &length), 0, CURL_BLOB_COPY };

      blob.len = length;
      curl_easy_setopt (c->curl, CURLOPT_CAINFO_BLOB, &blob);
    }
  else if (c->cacert_path != NULL)
    curl_easy_setopt (c->curl, CURLOPT_CAINFO, c->cacert_path);
  curl_easy_setopt (c->curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (c->curl, CURLOPT_WRITEDATA, r);
  curl_easy_setopt (c->curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (c->curl, CURLOPT_HEADERDATA, r);
  curl_easy_setopt (c->curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (c->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (c->curl, CURLOPT_XFERINFODATA, c);
  curl_easy_setopt (c->curl, CURLOPT_USERAGENT, "clmrs/" CLMRS_VERSION);
  curl_easy_setopt (c->curl, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt (c->curl, CURLOPT_DEBUGDATA, c);
  curl_easy_setopt (c->curl, CURLOPT_VERBOSE, 1L);   /* for on_debug only: nothing is printed */

  headers = curl_slist_append (headers, "Expect:");  /* no 100-continue round trip */
  headers = curl_slist_append (headers, "Accept-Encoding: gzip");
  if (auth != NULL)
    headers = curl_slist_append (headers, auth);
  if (type != NULL)
    headers = curl_slist_append (headers, type);
  /* What waits on the device, for the administrator's `clmrs-server devices`. */
  if (auth != NULL && (g_str_has_prefix (path, "/api/v1/push") || g_str_has_prefix (path, "/api/v1/pull")))
    {
      g_autoptr(GError) count_error = NULL;
      gint64 queued;

      /* only a figure for the administrator: the request goes without it */
      if (!clmrs_outbox_count_queued (c->store, &queued, &count_error))
        g_message ("sync: %s", count_error->message);
      else
        {
          queue = g_strdup_printf ("X-Clmrs-Queue: %" G_GINT64_FORMAT, queued);
          headers = curl_slist_append (headers, queue);
        }
    }
  for (guint i = 0; extra_headers != NULL && extra_headers[i] != NULL; i++)
    headers = curl_slist_append (headers, extra_headers[i]);
  curl_easy_setopt (c->curl, CURLOPT_HTTPHEADER, headers);

  if (g_str_equal (method, "POST"))
    {
      gsize len = 0;
      const char *data = body ? g_bytes_get_data (body, &len) : "";

      curl_easy_setopt (c->curl, CURLOPT_POST, 1L);
      curl_easy_setopt (c->curl, CURLOPT_POSTFIELDS, data);
      curl_easy_setopt (c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
    }

  code = curl_easy_perform (c->curl);
  curl_slist_free_all (headers);

  curl_easy_getinfo (c->curl, CURLINFO_HEADER_SIZE, &header_size);
  curl_easy_getinfo (c->curl, CURLINFO_SIZE_DOWNLOAD_T, &down);
  c->report->bytes_down += header_size + down;
  c->report->requests++;

  if (code != CURLE_OK)
    {
      if (code == CURLE_ABORTED_BY_CALLBACK || g_cancellable_is_cancelled (c->cancellable))
        {
          g_set_error_literal (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_CANCELLED, "sync cancelled");
          return FALSE;
        }
      if (r->too_large)
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL,
                       "%s %s: the answer is larger than %d bytes", method, path, MAX_RESPONSE_BYTES);
          return FALSE;
        }
      if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
          code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_CONNECT_ERROR)
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_TLS,
                       "%s: the server's certificate could not be verified: %s "
                       "(give the hub's CA with --cacert)", c->url, *curl_error ? curl_error : curl_easy_strerror (code));
          return FALSE;
        }
      if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL)
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_REFUSED,
                       "%s is not a server address (http:// or https://)", c->url);
          return FALSE;
        }
      *transient = TRUE;
      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_NETWORK, "%s %s: %s", method, path,
                   *curl_error ? curl_error : curl_easy_strerror (code));
      return FALSE;
    }

  /* libcurl (7.88) reports success when the link drops inside the
   * headers, after the status line: a 200 with no body.  That answer never
   * arrived; the request may have been carried out, so it is retried. */
  if (!r->headers_done)
    {
      *transient = TRUE;
      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_NETWORK,
                   "%s %s: the connection closed in the middle of the answer", method, path);
      return FALSE;
    }
  curl_easy_getinfo (c->curl, CURLINFO_RESPONSE_CODE, &r->status);
  if (r->content_encoding != NULL && g_ascii_strcasecmp (r->content_encoding, "gzip") == 0 &&
      r->body->len > 0)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(GBytes) plain = clmrs_gzip_decompress (r->body->data, r->body->len, MAX_INFLATED_BYTES, &local);

      if (plain == NULL)
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL, "%s %s: the answer: %s",
                       method, path, local->message);
          return FALSE;
        }
      g_byte_array_set_size (r->body, 0);
      g_byte_array_append (r->body, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
    }
  if (r->status == 429 || r->status == 500 || r->status == 502 || r->status == 503 || r->status == 504)
    {
      g_autofree char *message = error_message (r);
      *transient = TRUE;
      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_SERVER, "%s %s: %s", method, path, message);
      return FALSE;
    }
  if (r->status == 507)
    {
      /* The server's disk is full: an administrator must act, so the sync
       * stops now with the server's words; nothing was stored, and the
       * queue is sent again by the next sync. */
      g_autofree char *message = error_message (r);
      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_SERVER, "%s %s: %s", method, path, message);
      return FALSE;
    }
  if (r->status == 403)
    {
      g_autofree char *error_name = error_code (r);

      if (g_strcmp0 (error_name, "device_wipe") == 0)
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_WIPED,
                       "this device was revoked on the server and told to erase its data");
          return FALSE;
        }
    }
  if (r->status == 401 || r->status == 403)
    {
      g_autofree char *message = error_message (r);
      g_set_error (error, CLMRS_SYNC_ERROR,
                   r->status == 401 ? CLMRS_SYNC_ERROR_AUTH : CLMRS_SYNC_ERROR_REVOKED,
                   r->status == 401 ? "the server does not accept this device (%s): enrol it again"
                                    : "this device was revoked on the server (%s): ask the administrator",
                   message);
      return FALSE;
    }
  return TRUE;
}

/* Sleeps @ms in small steps; FALSE when cancelled meanwhile. */
static gboolean
wait_ms (Client *c, guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      if (g_cancellable_is_cancelled (c->cancellable))
        return FALSE;
      g_usleep (MIN (50000, until - g_get_monotonic_time () + 1));
    }
  return !g_cancellable_is_cancelled (c->cancellable);
}

/* One request with retries: exponential backoff with jitter, or the
 * server's Retry-After.  On success @r holds a non-retryable answer. */
static gboolean
request (Client      *c,
         const char  *method,
         const char  *path,
         const char  *content_type,
         const char **extra_headers,
         GBytes      *body,
         Response    *r,
         GError     **error)
{
  for (guint attempt = 1;; attempt++)
    {
      g_autoptr(GError) local = NULL;
      gboolean transient = FALSE;
      guint delay;

      if (exchange (c, method, path, content_type, extra_headers, body, r, &transient, &local))
        return TRUE;
      if (!transient || attempt >= c->max_attempts)
        {
          if (transient)
            g_prefix_error (&local, "after %u attempts: ", attempt);
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      delay = MIN ((guint64) c->backoff_ms << (attempt - 1), MAX_BACKOFF_MS);
      delay = delay / 2 + g_random_int_range (0, delay / 2 + 1);   /* jitter */
      if (r->retry_after != NULL)
        {
          guint64 seconds = g_ascii_strtoull (r->retry_after, NULL, 10);
          /* never sooner than the server asked, nor sooner than the backoff */
          if (seconds > 0)
            delay = MAX (delay, (guint) MIN (seconds, MAX_RETRY_AFTER_S) * 1000);
        }
      c->report->retries++;
      g_debug ("retrying %s %s in %u ms: %s", method, path, delay, local->message);
      if (!wait_ms (c, delay))
        {
          g_set_error_literal (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_CANCELLED, "sync cancelled");
          return FALSE;
        }
    }
}

/* Plain HTTP only to this machine (tests, a proxy on the device), or when
 * told: elsewhere it hands the token and the records to the network. */
static gboolean
check_plain_http (const char  *url,
                  gboolean     insecure_http,
                  GError     **error)
{
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) address = NULL;

  if (!g_uri_split_network (url, G_URI_FLAGS_NONE, &scheme, &host, NULL, NULL))
    return TRUE;    /* libcurl names a malformed address itself */
  if (g_ascii_strcasecmp (scheme, "http") != 0 || insecure_http)
    return TRUE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  if (address != NULL && g_inet_address_get_is_loopback (address))
    return TRUE;
  g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_REFUSED,
               "plain http:// to %s, which is not this machine, lets anyone on the network read "
               "this device's token and records; use https://, or --insecure-http to accept that",
               host);
  return FALSE;
}

/* The bytes of the PEM file @path, so the device keeps the CA itself
 * rather than a path that may move or be relative to where it ran. */
static GBytes *
read_ca_pem (const char  *path,
             GError     **error)
{
  g_autofree char *text = NULL;
  gsize length;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents (path, &text, &length, &local))
    {
      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_REFUSED, "--cacert: %s", local->message);
      return NULL;
    }
  if (strlen (text) != length || strstr (text, "-----BEGIN CERTIFICATE-----") == NULL)
    {
      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_REFUSED,
                   "--cacert %s: not a PEM file of certificates (no \"-----BEGIN CERTIFICATE-----\")", path);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&text), length);
}

static gboolean
client_init (Client                 *c,
             ClmrsStore             *store,
             const ClmrsSyncConfig  *config,
             gboolean                need_token,
             GError                **error)
{
  static const ClmrsSyncConfig defaults = { 0 };

  if (config == NULL)
    config = &defaults;
  ensure_curl ();
  c->store = store;
  if (config->server_url != NULL)
    c->url = g_strdup (config->server_url);
  else if (!clmrs_store_get_meta (store, "server_url", &c->url, error))
    return FALSE;
  if (!clmrs_store_get_meta (store, "sync_token", &c->token, error))
    return FALSE;
  c->insecure = config->insecure;
  c->batch_bytes = config->batch_bytes ? config->batch_bytes : 1024 * 1024;
  c->max_attempts = config->max_attempts ? config->max_attempts : 6;
  c->backoff_ms = config->backoff_ms ? config->backoff_ms : 1000;
  c->connect_timeout_s = config->connect_timeout_s ? config->connect_timeout_s : 20;
  c->low_speed_time_s = config->low_speed_time_s ? config->low_speed_time_s : 60;
  c->media_chunk_bytes = config->media_chunk_bytes ? config->media_chunk_bytes : MEDIA_CHUNK_BYTES;
  c->started = g_get_monotonic_time ();
  if (c->url == NULL)
    {
      g_set_error_literal (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_NOT_ENROLLED,
                           "no server: enrol this device first (clmrs enroll --server URL --code CODE)");
      return FALSE;
    }
  while (g_str_has_suffix (c->url, "/"))
    c->url[strlen (c->url) - 1] = '\0';
  if (!check_plain_http (c->url, config->insecure_http, error))
    return FALSE;
  if (config->cacert != NULL)
    {
      c->ca_pem = read_ca_pem (config->cacert, error);
      if (c->ca_pem == NULL)
        return FALSE;
    }
  else
    {
      g_autofree char *pem = NULL;

      if (!clmrs_store_get_meta (store, "server_ca_pem", &pem, error))
        return FALSE;
      if (pem != NULL)
        {
          gsize length = strlen (pem);

          c->ca_pem = g_bytes_new_take (g_steal_pointer (&pem), length);
        }
      else if (!clmrs_store_get_meta (store, "server_cacert", &c->cacert_path, error))
        return FALSE;
    }
  if (need_token && c->token == NULL)
    {
      g_set_error_literal (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_NOT_ENROLLED,
                           "this device is not enrolled: clmrs enroll --server URL --code CODE");
      return FALSE;
    }
  if (c->insecure)
    g_printerr ("WARNING: TLS certificate verification is OFF (--insecure): anyone on the path "
                "can read and change this sync.\n");
  c->curl = curl_easy_init ();
  return TRUE;
}

static void
client_clear (Client *c)
{
  if (c->curl != NULL)
    curl_easy_cleanup (c->curl);
  g_free (c->url);
  g_clear_pointer (&c->ca_pem, g_bytes_unref);
  g_free (c->cacert_path);
  g_free (c->media_refused);
  if (c->token != NULL)
    memset (c->token, 0, strlen (c->token));
  g_free (c->token);
}

/* GET /api/v1/health with @c made (one attempt). */
static gboolean
check_health (Client     *c,
              char      **server_version,
              GError    **error)
{
  Response r = { 0 };
  g_autoptr(JsonNode) node = NULL;
  gboolean ok = FALSE;

  c->max_attempts = 1;
  if (!request (c, "GET", "/api/v1/health", NULL, NULL, NULL, &r, error))
    goto out;
  if (r.status == 200)
    node = clmrs_wire_parse_json ((const char *) r.body->data, r.body->len, 1, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      !json_object_has_member (json_node_get_object (node), "server"))
    {
      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL,
                   "%s answered HTTP %ld but not as a CLMRS server (a captive portal or another site?)",
                   c->url, r.status);
      goto out;
    }
  if (server_version != NULL)
    *server_version = g_strdup (json_object_get_string_member_with_default (json_node_get_object (node),
                                                                            "version", ""));
  ok = TRUE;

out:
  response_clear (&r);
  return ok;
}

gboolean
clmrs_sync_check_health (ClmrsStore             *store,
                         const ClmrsSyncConfig  *config,
                         char                  **server_version,
                         GError                **error)
{
  ClmrsSyncReport report = { 0 };
  Client c = { .report = &report };

  gboolean ok = client_init (&c, store, config, FALSE, error) && check_health (&c, server_version, error);

  client_clear (&c);
  return ok;
}

struct _ClmrsSyncTarget {
  Client          c;        /* made, without its store */
  ClmrsSyncReport report;
};

ClmrsSyncTarget *
clmrs_sync_target_read (ClmrsStore             *store,
                        const ClmrsSyncConfig  *config,
                        GError                **error)
{
  ClmrsSyncTarget *target = g_new0 (ClmrsSyncTarget, 1);

  target->c.report = &target->report;
  if (!client_init (&target->c, store, config, FALSE, error))
    {
      clmrs_sync_target_free (target);
      return NULL;
    }
  /* what it asks reads nothing more from the store */
  target->c.store = NULL;
  return target;
}

gboolean
clmrs_sync_target_check_health (ClmrsSyncTarget  *target,
                                char            **server_version,
                                GError          **error)
{
  g_return_val_if_fail (target != NULL, FALSE);

  return check_health (&target->c, server_version, error);
}

void
clmrs_sync_target_free (ClmrsSyncTarget *target)
{
  if (target == NULL)
    return;
  client_clear (&target->c);
  g_free (target);
}

/* The server's `people` array applied to the device's people. */
static gboolean
apply_people (ClmrsStore  *store,
              JsonNode    *people,
              GError     **error)
{
  g_autoptr(GError) local = NULL;

  if (people == NULL || !JSON_NODE_HOLDS_ARRAY (people))
    {
      g_set_error_literal (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL,
                           "people: expected an array");
      return FALSE;
    }
  if (!clmrs_store_apply_people (store, json_node_get_array (people), NULL, &local))
    {
      g_set_error (error, CLMRS_SYNC_ERROR,
                   g_error_matches (local, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID)
                   ? CLMRS_SYNC_ERROR_PROTOCOL : CLMRS_SYNC_ERROR_STORE,
                   "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
clmrs_sync_enrol (ClmrsStore             *store,
                   const ClmrsSyncConfig  *config,
                   const char             *code,
                   const char             *device_name,
                   GError                **error)
{
  ClmrsSyncReport report = { 0 };
  Client c = { .report = &report };
  Response r = { 0 };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) request_node = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;
  g_autofree char *communities = NULL;
  JsonObject *o;
  gboolean ok = FALSE;

  if (!client_init (&c, store, config, FALSE, error))
    goto out;
  /* The token held for this same server goes along, so the server revokes
   * it; a token for another server is never sent to this one. */
  {
    g_autofree char *enrolled_url = NULL;

    if (!clmrs_store_get_meta (store, "server_url", &enrolled_url, error))
      goto out;
    while (enrolled_url != NULL && g_str_has_suffix (enrolled_url, "/"))
      enrolled_url[strlen (enrolled_url) - 1] = '\0';
    if (g_strcmp0 (enrolled_url, c.url) != 0 && c.token != NULL)
      {
        memset (c.token, 0, strlen (c.token));
        g_clear_pointer (&c.token, g_free);
      }
  }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "device_name");
  json_builder_add_string_value (b, device_name ? device_name : g_get_host_name ());
  /* a device set up offline (clmrs init) declares its people, so their
   * records are accepted; the server keeps them as facilitators until an
   * administrator says otherwise */
  {
    JsonNode *people = clmrs_store_list_people_json (store, error);

    if (people == NULL)
      goto out;
    json_builder_set_member_name (b, "people");
    json_builder_add_value (b, people);
  }
  json_builder_end_object (b);
  request_node = json_builder_get_root (b);
  text = clmrs_json_to_string (request_node);
  body = g_bytes_new (text, strlen (text));
  if (!request (&c, "POST", "/api/v1/enroll", "application/json", NULL, body, &r, error))
    goto out;
  if (r.status != 201)
    {
      g_autofree char *message = error_message (&r);
      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_REFUSED, "enrolment refused: %s", message);
      goto out;
    }
  answer = clmrs_wire_parse_json ((const char *) r.body->data, r.body->len, 1, NULL);
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer) ||
      json_object_get_string_member_with_default ((o = json_node_get_object (answer)), "token", NULL) == NULL ||
      json_object_get_string_member_with_default (o, "device_id", NULL) == NULL)
    {
      g_set_error_literal (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL,
                           "the enrolment answer has no device_id or token");
      goto out;
    }
  if (json_object_has_member (o, "communities"))
    communities = clmrs_json_to_string (json_object_get_member (o, "communities"));

  if (!clmrs_store_begin (store, error))
    goto out;
  ok = clmrs_store_set_meta (store, "server_url", c.url, error) &&
       /* the bytes, NUL-terminated by read_ca_pem and by the store */
       (c.ca_pem == NULL || clmrs_store_set_meta (store, "server_ca_pem", g_bytes_get_data (c.ca_pem, NULL), error)) &&
       clmrs_store_set_meta (store, "server_device_id", json_object_get_string_member (o, "device_id"), error) &&
       clmrs_store_set_meta (store, "sync_token", json_object_get_string_member (o, "token"), error) &&
       clmrs_store_set_meta (store, "sync_communities", communities ? communities : "[]", error) &&
       /* the key a device's data key is sealed to, for recovery (docs/security-at-rest.md) */
       (json_object_get_string_member_with_default (o, "recovery_public_key", NULL) == NULL ||
        clmrs_store_set_meta (store, "recovery_public_key",
                              json_object_get_string_member (o, "recovery_public_key"), error)) &&
       clmrs_store_set_meta (store, "pull_cursor", "0", error);
  if (ok)
    ok = clmrs_store_commit (store, error);
  else
    clmrs_store_rollback (store);
  /* the people of the device's communities, as the server knows them */
  if (ok && json_object_has_member (o, "people"))
    ok = apply_people (store, json_object_get_member (o, "people"), error);

out:
  response_clear (&r);
  client_clear (&c);
  if (!ok)
    g_prefix_error (error, "enrolling with %s: ", config && config->server_url ? config->server_url : "the server");
  return ok;
}

/* Which line of a batch a 400 names ("line 3: rev: ..."), 0 if none. */
static guint
line_named (const char *message)
{
  const char *p = message ? strstr (message, "line ") : NULL;

  return p ? (guint) g_ascii_strtoull (p + 5, NULL, 10) : 0;
}

/* A `Prefer: return=minimal` answer lists only the records that were not
 * stored (with their line) and says "omitted":"stored"; this is the full
 * list, one result per line of @batch, the others stored. */
static GPtrArray *
expand_minimal_results (GPtrArray  *batch,
                        GPtrArray  *listed,
                        GError    **error)
{
  g_autoptr(GPtrArray) full = g_ptr_array_new_full (batch->len, (GDestroyNotify) clmrs_push_result_free);
  g_autofree ClmrsPushResult **by_line = g_new0 (ClmrsPushResult *, batch->len + 1);

  for (guint i = 0; i < listed->len; i++)
    {
      ClmrsPushResult *r = g_ptr_array_index (listed, i);

      if (r->line < 1 || r->line > batch->len || by_line[r->line] != NULL)
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL,
                       "result %u does not name a line of the batch once", i + 1);
          return NULL;
        }
      by_line[r->line] = r;
    }
  for (guint line = 1; line <= batch->len; line++)
    {
      const ClmrsOutgoing *out = g_ptr_array_index (batch, line - 1);
      const ClmrsPushResult *r = by_line[line];

      g_ptr_array_add (full, r != NULL ? clmrs_push_result_new (line, r->id, r->rev, r->outcome, r->reason)
                                       : clmrs_push_result_new (line, out->record_id, out->rev, CLMRS_PUSH_STORED, NULL));
    }
  return g_steal_pointer (&full);
}

static gboolean
push_all (Client   *c,
          GError  **error)
{
  gsize batch_bytes = c->batch_bytes;

  for (;;)
    {
      g_autoptr(GPtrArray) batch = clmrs_outbox_next_batch (c->store, batch_bytes, MAX_RECORDS_PER_PUSH, error);
      g_autoptr(GString) ndjson = g_string_new (NULL);
      g_autoptr(GBytes) gz = NULL;
      g_autofree char *key = NULL;
      g_autofree char *key_header = NULL;
      g_autoptr(GError) local = NULL;
      Response r = { 0 };
      g_autoptr(GPtrArray) results = NULL;
      gboolean stored_omitted = FALSE;
      guint counts[CLMRS_PUSH_N_OUTCOMES];

      if (batch == NULL)
        return FALSE;
      if (batch->len == 0)
        return TRUE;
      for (guint i = 0; i < batch->len; i++)
        {
          g_string_append (ndjson, ((ClmrsOutgoing *) g_ptr_array_index (batch, i))->line);
          g_string_append_c (ndjson, '\n');
        }
      gz = clmrs_gzip_compress (ndjson->str, ndjson->len, error);
      if (gz == NULL)
        return FALSE;
      /* the same key for every retry of this batch: a retry after a lost
       * answer gets the first answer back */
      key = clmrs_uuid_new ();
      key_header = g_strconcat ("Idempotency-Key: ", key, NULL);
      if (!request (c, "POST", "/api/v1/push", "application/x-ndjson",
                    (const char *[]) { key_header, "Content-Encoding: gzip", "Prefer: return=minimal", NULL },
                    gz, &r, &local))
        {
          clmrs_outbox_note_failure (c->store, batch, local->message, NULL);
          g_propagate_error (error, g_steal_pointer (&local));
          response_clear (&r);
          return FALSE;
        }
      if (r.status == 413 && batch->len > 1)
        {
          batch_bytes = MAX (batch_bytes / 2, 1024);  /* smaller batches, try again */
          response_clear (&r);
          continue;
        }
      if (r.status == 400 || r.status == 413)
        {
          g_autofree char *message = error_message (&r);
          guint line = r.status == 413 ? 1 : line_named (message);

          response_clear (&r);
          if (line >= 1 && line <= batch->len)
            {
              /* the server refused the whole batch for one record: set that
               * one aside, visible with the reason, and send the others */
              const ClmrsOutgoing *bad = g_ptr_array_index (batch, line - 1);

              if (!clmrs_outbox_reject (c->store, bad->record_id, bad->rev, message, error))
                return FALSE;
              c->report->rejected++;
              report_progress (c);
              continue;
            }
          clmrs_outbox_note_failure (c->store, batch, message, NULL);
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL, "push refused: %s", message);
          return FALSE;
        }
      if (r.status != 200)
        {
          g_autofree char *message = error_message (&r);
          clmrs_outbox_note_failure (c->store, batch, message, NULL);
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL, "push: %s", message);
          response_clear (&r);
          return FALSE;
        }
      results = clmrs_push_response_parse ((const char *) r.body->data, r.body->len, &stored_omitted, &local);
      response_clear (&r);
      if (results == NULL)
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL, "the push answer: %s", local->message);
          return FALSE;
        }
      if (stored_omitted)
        {
          GPtrArray *full = expand_minimal_results (batch, results, &local);

          if (full == NULL)
            {
              g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL, "the push answer: %s",
                           local->message);
              return FALSE;
            }
          g_ptr_array_unref (results);
          results = full;
        }
      if (results->len != batch->len)
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL,
                       "the server answered for %u records, %u were sent",
                       results->len, batch->len);
          return FALSE;
        }
      if (!clmrs_outbox_apply_results (c->store, results, counts, &local))
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_STORE, "%s", local->message);
          return FALSE;
        }
      c->report->stored += counts[0];
      c->report->duplicates += counts[1];
      c->report->conflicts += counts[2];
      c->report->rejected += counts[3];
      c->report->records_sent += counts[0] + counts[1];
      report_progress (c);
    }
}


/* The answer to a media chunk: how many bytes the server holds. */
static gboolean
parse_media_answer (const Response  *r,
                    gint64          *received,
                    gboolean        *complete,
                    GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (!json_parser_load_from_data (parser, (const char *) r->body->data, r->body->len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL, "a media answer is not a JSON object");
      return FALSE;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (object, "received") || !json_object_has_member (object, "complete"))
    {
      g_set_error_literal (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL,
                           "a media answer lacks received or complete");
      return FALSE;
    }
  *received = json_object_get_int_member (object, "received");
  *complete = json_object_get_boolean_member (object, "complete");
  return TRUE;
}

/* Sends one file from the bytes the server acknowledged, chunk by chunk;
 * each acknowledgement is written down before the next chunk, so a sync
 * that stops anywhere resumes there. */
static gboolean
push_one_file (Client               *c,
               const ClmrsMediaInfo *info,
               GError              **error)
{
  g_autofree char *path = g_strconcat ("/api/v1/media/", info->id, NULL);
  g_autofree char *record = g_strconcat ("X-Clmrs-Record: ", info->visit_id, NULL);
  g_autofree char *question = g_strconcat ("X-Clmrs-Question: ", info->ref, NULL);
  g_autofree char *name = g_strconcat ("X-Clmrs-Name: ", info->name, NULL);
  g_autofree char *mime = g_strconcat ("X-Clmrs-Media-Type: ", info->mime, NULL);
  g_autofree char *sha = g_strconcat ("X-Clmrs-Sha256: ", info->sha256, NULL);
  g_autofree char *size = g_strdup_printf ("X-Clmrs-Size: %" G_GINT64_FORMAT, info->size);
  gint64 offset = info->sent;

  for (;;)
    {
      g_autoptr(GBytes) chunk = NULL;
      g_autofree char *at = g_strdup_printf ("X-Clmrs-Offset: %" G_GINT64_FORMAT, offset);
      g_autoptr(GError) local = NULL;
      Response r = { 0 };
      gint64 received = 0;
      gboolean complete = FALSE;

      chunk = clmrs_media_read_chunk (c->store, info->id, offset,
                                      (gsize) MIN ((gint64) c->media_chunk_bytes, info->size - offset), &local);
      if (chunk == NULL)
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_STORE, "%s", local->message);
          return FALSE;
        }
      if (!request (c, "POST", path, "application/octet-stream",
                    (const char *[]) { record, question, name, mime, sha, size, at, NULL }, chunk, &r, error))
        {
          response_clear (&r);
          return FALSE;
        }
      if (r.status == 400 || r.status == 404 || r.status == 413 || r.status == 415)
        {
          /* the server will not take this file as it is: the others go on,
           * and the sync says why at the end; the file stays queued */
          g_autofree char *message = error_message (&r);

          response_clear (&r);
          g_message ("sync: media %s refused: %s", info->id, message);
          if (c->media_refused == NULL)
            c->media_refused = g_steal_pointer (&message);
          return TRUE;
        }
      if (r.status != 200)
        {
          g_autofree char *message = error_message (&r);

          response_clear (&r);
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL, "media: %s", message);
          return FALSE;
        }
      if (!parse_media_answer (&r, &received, &complete, error))
        {
          response_clear (&r);
          return FALSE;
        }
      response_clear (&r);
      if (received < 0 || received > info->size)
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL,
                       "media %s: the server says it holds %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " bytes",
                       info->id, received, info->size);
          return FALSE;
        }
      if (!clmrs_media_note_sent (c->store, info->id, received, complete, &local))
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_STORE, "%s", local->message);
          return FALSE;
        }
      c->report->media_bytes += (guint64) MAX (0, received - offset);
      report_progress (c);
      if (complete)
        {
          c->report->media_sent++;
          return TRUE;
        }
      /* the server says where to go on (0 after a file that came out wrong) */
      offset = received;
    }
}

/* The media files of the visits the server acknowledged. */
static gboolean
push_media (Client   *c,
            GError  **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GPtrArray) files = clmrs_media_list_unsent (c->store, &local);

  if (files == NULL)
    {
      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_STORE, "%s", local->message);
      return FALSE;
    }
  for (guint i = 0; i < files->len; i++)
    if (!push_one_file (c, g_ptr_array_index (files, i), error))
      return FALSE;
  return TRUE;
}

static gboolean
pull_all (Client   *c,
          GError  **error)
{
  gboolean restarted = FALSE;

  for (;;)
    {
      g_autofree char *cursor = NULL;
      g_autofree char *escaped = NULL;
      g_autofree char *path = NULL;
      g_autoptr(GBytes) plain = NULL;
      g_autoptr(GPtrArray) envelopes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      g_autoptr(GPtrArray) invalid = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) local = NULL;
      ClmrsPullCounts counts = { 0 };
      ClmrsNdjsonReader reader;
      const char *line;
      gsize length;
      guint line_no, applied = 0;
      gboolean more;
      Response r = { 0 };

      /* an unreadable cursor is an error: read as none, it would pull everything again */
      if (!clmrs_store_get_meta (c->store, "pull_cursor", &cursor, error))
        return FALSE;
      escaped = g_uri_escape_string (cursor ? cursor : "0", NULL, FALSE);
      path = g_strconcat ("/api/v1/pull?cursor=", escaped, NULL);

      if (!request (c, "GET", path, NULL, NULL, NULL, &r, error))
        {
          response_clear (&r);
          return FALSE;
        }
      if (r.status == 409 && !restarted)
        {
          g_autofree char *code = error_code (&r);

          /* the server does not know our cursor (restored from a backup):
           * pull everything again, once; applying a record twice is a no-op */
          if (g_strcmp0 (code, "cursor_ahead") == 0)
            {
              g_message ("pull: the server does not know cursor %s; pulling again from 0", cursor);
              response_clear (&r);
              restarted = TRUE;
              if (!clmrs_store_set_meta (c->store, "pull_cursor", "0", error))
                return FALSE;
              continue;
            }
        }
      if (r.status != 200 || r.cursor == NULL)
        {
          g_autofree char *message = error_message (&r);
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL,
                       "pull: %s%s", message, r.status == 200 ? " (no X-Clmrs-Cursor)" : "");
          response_clear (&r);
          return FALSE;
        }
      plain = g_bytes_new (r.body->data, r.body->len);  /* decompressed by exchange() */
      more = g_strcmp0 (r.has_more, "true") == 0;

      clmrs_ndjson_reader_init (&reader, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
      while (clmrs_ndjson_reader_next (&reader, &line, &length, &line_no))
        {
          g_autoptr(JsonNode) node = clmrs_wire_parse_json (line, length, line_no, &local);
          JsonObject *o;
          const char *type;

          if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
            {
              g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL, "pull: %s",
                           local ? local->message : "a line is not a JSON object");
              response_clear (&r);
              return FALSE;
            }
          o = json_node_get_object (node);
          type = json_object_get_string_member_with_default (o, "type", "");
          /* an envelope this device cannot read is set aside with the
           * reason, not a reason to stop pulling for good; json-glib
           * would cut a string at a NUL, so that is checked on the text
           * before the tree is applied */
          if (!clmrs_wire_check_no_nul (line, length, line_no, &local))
            {
              g_ptr_array_add (invalid, g_strdup (local->message));
              g_clear_error (&local);
            }
          else if (!g_str_equal (type, "form") && !g_str_equal (type, "rule_set"))
            {
              g_autoptr(ClmrsEnvelope) env = clmrs_envelope_from_node (node, line_no, &local);

              g_ptr_array_add (invalid, env == NULL ? g_strdup (local->message) : NULL);
              g_clear_error (&local);
            }
          else
            g_ptr_array_add (invalid, NULL);
          g_ptr_array_add (envelopes, json_object_ref (o));
        }
      if (!clmrs_pull_apply_full (c->store, envelopes, invalid, r.cursor, &counts, &local))
        {
          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_STORE, "pull: %s", local->message);
          response_clear (&r);
          return FALSE;
        }
      response_clear (&r);
      applied = counts.applied;
      c->report->set_aside = counts.set_aside;
      if (counts.newly_set_aside > 0)
        g_message ("pull: %u record%s set aside (this device cannot apply them; see clmrs queue)",
                   counts.newly_set_aside, counts.newly_set_aside == 1 ? "" : "s");
      c->report->pulled += applied;
      report_progress (c);
      if (!more)
        return TRUE;
    }
}

/* Tells the server which received records this device set aside, so an
 * administrator sees them; a failure here fails nothing (the report is
 * sent again at the next sync). */
static void
report_problems (Client *c)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *report = clmrs_pull_problem_report (c->store, &error);
  g_autoptr(GBytes) body = NULL;
  Response r = { 0 };

  if (report == NULL)
    {
      if (error != NULL)
        g_message ("sync: could not read the records set aside: %s", error->message);
      return;
    }
  body = g_bytes_new (report, strlen (report));
  if (!request (c, "POST", "/api/v1/problems", "application/json", NULL, body, &r, &error) || r.status != 200)
    {
      g_autofree char *message = error == NULL ? error_message (&r) : NULL;

      g_message ("sync: the server was not told of the records set aside: %s",
                 error != NULL ? error->message : message);
      response_clear (&r);
      return;
    }
  response_clear (&r);
  if (!clmrs_pull_mark_reported (c->store, report, &error))
    g_message ("sync: could not note the report: %s", error->message);
}

/* GET /api/v1/people: the people of the device's communities, applied
 * in one transaction.  A server from before people were managed centrally
 * answers 404: the device keeps its own. */
static gboolean
pull_people (Client  *c,
             GError **error)
{
  g_autoptr(JsonNode) answer = NULL;
  Response r = { 0 };
  JsonObject *o;
  gboolean ok = FALSE;

  if (!request (c, "GET", "/api/v1/people", NULL, NULL, NULL, &r, error))
    goto out;
  if (r.status == 404)
    {
      g_message ("people: this server does not manage people; the device keeps its own");
      ok = TRUE;
      goto out;
    }
  if (r.status != 200)
    {
      g_autofree char *message = error_message (&r);

      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL, "people: %s", message);
      goto out;
    }
  answer = clmrs_wire_parse_json ((const char *) r.body->data, r.body->len, 1, NULL);
  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer) ||
      !json_object_has_member ((o = json_node_get_object (answer)), "people"))
    {
      g_set_error_literal (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL,
                           "people: the answer has no people");
      goto out;
    }
  ok = apply_people (c->store, json_object_get_member (o, "people"), error);
  if (!ok)
    g_prefix_error (error, "people: ");

out:
  response_clear (&r);
  return ok;
}

/* The 32 bytes of the `unlock_secret` member of @r's JSON body, or FALSE. */
static gboolean
read_unlock_secret (const Response *r,
                    guint8          secret[CLMRS_KEYRING_KEY_BYTES])
{
  g_autoptr(JsonNode) answer = clmrs_wire_parse_json ((const char *) r->body->data, r->body->len, 1, NULL);
  const char *text = NULL;
  g_autofree guchar *bytes = NULL;
  gsize length = 0;

  if (answer != NULL && JSON_NODE_HOLDS_OBJECT (answer))
    text = json_object_get_string_member_with_default (json_node_get_object (answer), "unlock_secret", NULL);
  if (text != NULL)
    bytes = g_base64_decode (text, &length);
  if (bytes == NULL || length != CLMRS_KEYRING_KEY_BYTES)
    return FALSE;
  memcpy (secret, bytes, CLMRS_KEYRING_KEY_BYTES);
  memset (bytes, 0, length);
  return TRUE;
}

/* While someone is signed in on an encrypted device: the keyring learns
 * who may sign in with the server's one-time PIN, and holds the key
 * wrapped with this device's unlock secret (GET /api/v1/unlock-secret)
 * so they can.  Nothing here fails the sync: a device without it keeps
 * its colleagues' add-person. */
static void
refresh_unlock (Client *c)
{
  const char *path = clmrs_store_get_path (c->store);
  g_autoptr(ClmrsDataKey) key = NULL;
  g_autoptr(GError) error = NULL;
  Response r = { 0 };
  guint8 secret[CLMRS_KEYRING_KEY_BYTES];

  if (path == NULL || !clmrs_device_has_keyring (path) || (key = clmrs_store_dup_held_key (path)) == NULL)
    return;
  if (!clmrs_device_write_arrivals (c->store, &error))
    {
      g_message ("sync: the keyring's list of people arriving: %s", error->message);
      return;
    }
  if (!clmrs_device_needs_unlock_secret (c->store))
    return;
  if (!request (c, "GET", "/api/v1/unlock-secret", NULL, NULL, NULL, &r, &error))
    g_message ("sync: unlock secret: %s", error->message);
  else if (r.status == 404)
    g_message ("sync: this server has no first sign-in with a one-time PIN");
  else if (r.status != 200 || !read_unlock_secret (&r, secret))
    g_message ("sync: unlock secret: HTTP %ld, not the answer expected", r.status);
  else if (!clmrs_device_set_unlock_secret (c->store, key, secret, &error))
    g_message ("sync: unlock secret: %s", error->message);
  sodium_memzero (secret, sizeof secret);
  response_clear (&r);
}

gboolean
clmrs_sync_first_sign_in (const char  *server_url,
                          const char  *ca_pem,
                          const char  *device_id,
                          const char  *person_id,
                          const char  *one_time_pin,
                          guint8       secret[CLMRS_KEYRING_KEY_BYTES],
                          GError     **error)
{
  ClmrsSyncReport report = { 0 };
  Client c = { .report = &report, .max_attempts = 3, .backoff_ms = 1000, .connect_timeout_s = 20,
               .low_speed_time_s = 60 };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *text = NULL;
  Response r = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (server_url != NULL && device_id != NULL && person_id != NULL && one_time_pin != NULL, FALSE);

  ensure_curl ();
  c.url = g_strdup (server_url);
  c.started = g_get_monotonic_time ();
  if (!check_plain_http (c.url, FALSE, error))
    goto out;
  if (ca_pem != NULL)
    c.ca_pem = g_bytes_new (ca_pem, strlen (ca_pem));
  c.curl = curl_easy_init ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, device_id);
  json_builder_set_member_name (b, "person_id");
  json_builder_add_string_value (b, person_id);
  json_builder_set_member_name (b, "one_time_pin");
  json_builder_add_string_value (b, one_time_pin);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  body = g_bytes_new (text, strlen (text));
  if (!request (&c, "POST", "/api/v1/first-sign-in", "application/json", NULL, body, &r, &local))
    {
      /* 401 here is about the one-time PIN, not a token */
      if (r.status == 401)
        {
          g_autofree char *message = error_message (&r);

          g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_WRONG_PIN, "%s", message);
        }
      else
        g_propagate_error (error, g_steal_pointer (&local));
      goto out;
    }
  if (r.status == 404)
    {
      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_REFUSED,
                   "%s has no first sign-in with a one-time PIN (an older server)", c.url);
      goto out;
    }
  if (r.status != 200)
    {
      g_autofree char *message = error_message (&r);

      g_set_error (error, CLMRS_SYNC_ERROR, r.status >= 500 ? CLMRS_SYNC_ERROR_SERVER : CLMRS_SYNC_ERROR_REFUSED,
                   "first sign-in: %s", message);
      goto out;
    }
  if (!read_unlock_secret (&r, secret))
    {
      g_set_error_literal (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_PROTOCOL,
                           "first sign-in: the answer has no unlock_secret of 32 bytes");
      goto out;
    }
  ok = TRUE;

out:
  if (text != NULL)
    sodium_memzero (text, strlen (text));
  response_clear (&r);
  client_clear (&c);
  return ok;
}

/* Children whose case closed more than the programme's closed_keep_days
 * ago, everything about them acknowledged now, leave the device
 * (retention.c).  A failure fails nothing: the next sync tries again. */
static void
purge_closed_cases (ClmrsStore *store)
{
  g_autoptr(GError) error = NULL;
  ClmrsCaseConfig rules;
  GDate today;
  guint purged = 0;

  clmrs_date_today (&today);
  if (!clmrs_case_config_load_programme (&rules, &error) ||
      !clmrs_retention_purge (store, &today, rules.closed_keep_days, &purged, &error))
    g_message ("sync: %s", error->message);
  else if (purged > 0)
    g_message ("sync: %u %s whose case closed over %u days ago left this device (the server keeps them)",
               purged, purged == 1 ? "child" : "children", rules.closed_keep_days);
}

/* What the facilitator saved while this sync pulled (the db worker saves
 * beside it) leaves with this sync, not the next one. */
static gboolean
push_saved_meanwhile (Client   *c,
                      GError  **error)
{
  g_autoptr(GError) local = NULL;
  gint64 queued = 0;

  if (!clmrs_outbox_count_queued (c->store, &queued, &local))
    {
      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_STORE, "%s", local->message);
      return FALSE;
    }
  return queued == 0 || (push_all (c, error) && push_media (c, error));
}

gboolean
clmrs_sync_run (ClmrsStore             *store,
                const ClmrsSyncConfig  *config,
                GCancellable           *cancellable,
                ClmrsSyncProgressFunc   progress,
                gpointer                user_data,
                ClmrsSyncReport        *report,
                GError                **error)
{
  ClmrsSyncReport local_report = { 0 };
  Client c = { .cancellable = cancellable, .progress = progress, .progress_data = user_data };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) count_error = NULL;
  gboolean ok;

  c.report = report != NULL ? report : &local_report;
  memset (c.report, 0, sizeof *c.report);
  if (!client_init (&c, store, config, TRUE, error))
    {
      client_clear (&c);
      return FALSE;
    }
  ok = push_all (&c, &local_error) && push_media (&c, &local_error) && pull_all (&c, &local_error) &&
       pull_people (&c, &local_error) && push_saved_meanwhile (&c, &local_error);
  if (ok)
    {
      report_problems (&c);
      refresh_unlock (&c);
    }
  /* A lost or stolen handheld, revoked with --wipe: the server's order is
   * carried out at once, before anything else can read the data. */
  if (g_error_matches (local_error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_WIPED))
    {
      g_autoptr(GError) wipe_error = NULL;

      if (!clmrs_store_wipe (store, &wipe_error))
        g_prefix_error (&local_error, "(erasing failed: %s) ", wipe_error->message);
      else
        g_message ("sync: this device was revoked with --wipe; its data is erased");
    }
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  /* what the server has held for a month leaves the handheld */
  if (ok)
    {
      g_autoptr(GError) prune_error = NULL;
      gint64 pruned = 0;

      if (!clmrs_outbox_prune_sent (store, CLMRS_OUTBOX_KEEP_SENT_DAYS, &pruned, &prune_error))
        g_message ("sync: could not prune acknowledged envelopes: %s", prune_error->message);
      c.report->pruned = pruned;
      /* and the photos and signatures the server has held as long */
      g_clear_error (&prune_error);
      if (!clmrs_media_prune_sent (store, CLMRS_OUTBOX_KEEP_SENT_DAYS, &pruned, &prune_error))
        g_message ("sync: could not prune acknowledged media files: %s", prune_error->message);
      c.report->media_pruned = pruned;
      purge_closed_cases (store);
    }
  c.report->media_left = -1;
  if (!clmrs_outbox_count_queued (store, &c.report->queued_left, &count_error) ||
      !clmrs_media_count_unsent (store, &c.report->media_left, &count_error))
    {
      /* the run cannot say the queue is empty: not a success */
      if (ok)
        g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_STORE, "%s", count_error->message);
      else
        g_message ("sync: %s", count_error->message);
      ok = FALSE;
    }
  report_progress (&c);
  /* push_all() returns only once the queue reads empty, so whatever is
   * queued now was saved in the last instant: it waits for the next sync,
   * counted in the report, and is no failure of this one */
  if (ok && c.report->queued_left > 0)
    g_message ("sync: %" G_GINT64_FORMAT " records saved during the sync wait for the next one",
               c.report->queued_left);
  if (ok && c.media_refused != NULL)
    {
      g_set_error (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_REFUSED,
                   "the server refused a media file, kept on this device: %s", c.media_refused);
      ok = FALSE;
    }
  client_clear (&c);
  return ok;
}

/* --- off the main thread --- */

struct _ClmrsSyncConnection {
  gatomicrefcount  ref;
  GMutex           lock;    /* held by the job using the store */
  ClmrsStore      *store;
};

ClmrsSyncConnection *
clmrs_sync_connection_new (ClmrsStore *store)
{
  ClmrsSyncConnection *connection;

  g_return_val_if_fail (store != NULL, NULL);

  connection = g_new0 (ClmrsSyncConnection, 1);
  g_atomic_ref_count_init (&connection->ref);
  g_mutex_init (&connection->lock);
  connection->store = store;
  return connection;
}

ClmrsSyncConnection *
clmrs_sync_connection_ref (ClmrsSyncConnection *connection)
{
  g_return_val_if_fail (connection != NULL, NULL);

  g_atomic_ref_count_inc (&connection->ref);
  return connection;
}

void
clmrs_sync_connection_unref (ClmrsSyncConnection *connection)
{
  if (connection == NULL || !g_atomic_ref_count_dec (&connection->ref))
    return;
  clmrs_store_close (connection->store);
  g_mutex_clear (&connection->lock);
  g_free (connection);
}

ClmrsStore *
clmrs_sync_connection_lock (ClmrsSyncConnection *connection)
{
  g_return_val_if_fail (connection != NULL, NULL);

  g_mutex_lock (&connection->lock);
  return connection->store;
}

void
clmrs_sync_connection_unlock (ClmrsSyncConnection *connection)
{
  g_return_if_fail (connection != NULL);

  g_mutex_unlock (&connection->lock);
}

typedef struct {
  ClmrsSyncConnection   *connection;
  ClmrsSyncConfig        config;
  char                  *server_url;
  char                  *cacert;
  ClmrsSyncProgressFunc  progress;
  gpointer               progress_data;
  GMainContext          *context;
  ClmrsSyncReport        report;
} AsyncSync;

static void
async_sync_free (gpointer data)
{
  AsyncSync *a = data;

  clmrs_sync_connection_unref (a->connection);
  g_free (a->server_url);
  g_free (a->cacert);
  g_main_context_unref (a->context);
  g_free (a);
}

typedef struct {
  AsyncSync       *async;
  ClmrsSyncReport  report;
  GTask           *task;
} ProgressEvent;

static gboolean
deliver_progress (gpointer data)
{
  ProgressEvent *e = data;

  e->async->progress (&e->report, e->async->progress_data);
  g_object_unref (e->task);
  g_free (e);
  return G_SOURCE_REMOVE;
}

static void
worker_progress (const ClmrsSyncReport *so_far, gpointer user_data)
{
  GTask *task = user_data;
  AsyncSync *a = g_task_get_task_data (task);
  ProgressEvent *e;

  if (a->progress == NULL)
    return;
  e = g_new0 (ProgressEvent, 1);
  e->async = a;
  e->report = *so_far;
  e->task = g_object_ref (task);
  g_main_context_invoke (a->context, deliver_progress, e);
}

static void
sync_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  AsyncSync *a = task_data;
  g_autoptr(GError) error = NULL;
  ClmrsStore *store = clmrs_sync_connection_lock (a->connection);
  gboolean ok = clmrs_sync_run (store, &a->config, cancellable, worker_progress, task, &a->report, &error);

  clmrs_sync_connection_unlock (a->connection);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
clmrs_sync_run_async (ClmrsSyncConnection    *connection,
                      const ClmrsSyncConfig  *config,
                      GCancellable           *cancellable,
                      ClmrsSyncProgressFunc   progress,
                      gpointer                progress_data,
                      GAsyncReadyCallback     callback,
                      gpointer                user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  AsyncSync *a = g_new0 (AsyncSync, 1);

  g_task_set_source_tag (task, clmrs_sync_run_async);
  a->connection = clmrs_sync_connection_ref (connection);
  if (config != NULL)
    a->config = *config;
  a->server_url = g_strdup (a->config.server_url);
  a->cacert = g_strdup (a->config.cacert);
  a->config.server_url = a->server_url;
  a->config.cacert = a->cacert;
  a->progress = progress;
  a->progress_data = progress_data;
  a->context = g_main_context_ref_thread_default ();
  g_task_set_task_data (task, a, async_sync_free);
  g_task_run_in_thread (task, sync_thread);
}

gboolean
clmrs_sync_run_finish (GAsyncResult     *result,
                       ClmrsSyncReport  *report,
                       GError          **error)
{
  AsyncSync *a;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  a = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = a->report;
  return g_task_propagate_boolean (G_TASK (result), error);
}
