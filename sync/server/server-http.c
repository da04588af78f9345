/* server-http.c: clmrs-server's HTTP front on libmicrohttpd: routing, limits, auth, rate, logs. */
#define G_LOG_DOMAIN "clmrs-server"

#include "server.h"
#include "wire.h"

#include <errno.h>
#include <glib-unix.h>
#include <math.h>
#include <microhttpd.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define ENROL_MAX_BODY 65536

/* Wrong tokens from one client address: after this many in a window, the
 * address gets 429 for every token until the window ends, so guessing
 * tokens (43 random characters) is slow as well as hopeless. */
#define AUTH_FAILURE_LIMIT    10
#define AUTH_FAILURE_WINDOW_S 60

static const struct {
  unsigned int status;
  const char  *code;
} error_map[] = {
  [SERVER_ERROR_INTERNAL] = { 500, "internal_error" },
  [SERVER_ERROR_BAD_REQUEST] = { 400, "bad_request" },
  [SERVER_ERROR_MALFORMED_JSON] = { 400, "malformed_json" },
  [SERVER_ERROR_INVALID_ENVELOPE] = { 400, "invalid_envelope" },
  [SERVER_ERROR_MALFORMED_GZIP] = { 400, "malformed_gzip" },
  [SERVER_ERROR_UNSUPPORTED_ENCODING] = { 415, "unsupported_encoding" },
  [SERVER_ERROR_TOO_LARGE] = { 413, "too_large" },
  [SERVER_ERROR_UNAUTHORIZED] = { 401, "unauthorized" },
  [SERVER_ERROR_REVOKED] = { 403, "device_revoked" },
  [SERVER_ERROR_WIPE] = { 403, "device_wipe" },
  [SERVER_ERROR_NOT_FOUND] = { 404, "not_found" },
  [SERVER_ERROR_METHOD] = { 405, "method_not_allowed" },
  [SERVER_ERROR_INVALID_CODE] = { 401, "invalid_code" },
  [SERVER_ERROR_CODE_USED] = { 410, "code_used" },
  [SERVER_ERROR_CODE_EXPIRED] = { 410, "code_expired" },
  [SERVER_ERROR_IDEMPOTENCY] = { 422, "idempotency_key_reused" },
  [SERVER_ERROR_RATE] = { 429, "rate_limited" },
  [SERVER_ERROR_BUSY] = { 503, "busy" },
  [SERVER_ERROR_STORAGE] = { 507, "insufficient_storage" },
  [SERVER_ERROR_CURSOR_AHEAD] = { 409, "cursor_ahead" },
  [SERVER_ERROR_INVALID_FILE] = { 400, "bad_request" },
  [SERVER_ERROR_UNKNOWN_DEVICE] = { 404, "not_found" },
};

typedef enum {
  ROUTE_NONE,
  ROUTE_HEALTH,
  ROUTE_ENROL,
  ROUTE_PUSH,
  ROUTE_PULL,
  ROUTE_PROBLEMS,
  ROUTE_PEOPLE,
  ROUTE_MEDIA,
  ROUTE_UNLOCK_SECRET,
  ROUTE_FIRST_SIGN_IN,
} Route;

typedef struct {
  ServerConfig *config;
  GMutex        rate_lock;
  GHashTable   *buckets;        /* client key -> Bucket */
  GHashTable   *auth_failures;  /* client address -> AuthFailures; under rate_lock */
  GMutex        budget_lock;
  gsize         inflight;       /* request body bytes buffered across every connection */
  gsize         inflight_peak;  /* the most ever buffered at once, said when the server stops */
  ServerApplier *applier;       /* applies pushed records to the derived store */
} Server;

typedef struct {
  double tokens;
  gint64 last_us;
} Bucket;

typedef struct {
  guint  count;
  gint64 since_us;              /* the first failure of the window */
} AuthFailures;

/* One HTTP request, from its headers to its completion. */
typedef struct {
  Server     *server;
  Route       route;
  char       *method;
  char       *path;
  char       *address;    /* the client's, for the log and the per-address limits */
  gint64      start_us;
  ServerDb   *db;
  char       *device_id;
  GByteArray *body;
  gsize       received;
  gsize       limit;
  gsize       buffered;   /* bytes of @body counted in the server's budget */
  gboolean    too_large;
  gboolean    over_budget;
  gboolean    answered;
  unsigned    status;
  gsize       bytes_out;
} Request;

/* Reserves @n bytes of the global budget for request bodies in flight;
 * FALSE when they do not fit (then nothing is reserved). */
static gboolean
budget_take (Server *server,
             gsize   n)
{
  gboolean fits;

  g_mutex_lock (&server->budget_lock);
  fits = n <= server->config->max_inflight - MIN (server->inflight, server->config->max_inflight);
  if (fits)
    {
      server->inflight += n;
      server->inflight_peak = MAX (server->inflight_peak, server->inflight);
    }
  g_mutex_unlock (&server->budget_lock);
  return fits;
}

static void
budget_give (Server *server,
             gsize   n)
{
  g_mutex_lock (&server->budget_lock);
  g_assert (server->inflight >= n);
  server->inflight -= n;
  g_mutex_unlock (&server->budget_lock);
}

/* Frees the request body and gives its bytes back to the budget. */
static void
request_drop_body (Request *req)
{
  g_clear_pointer (&req->body, g_byte_array_unref);
  budget_give (req->server, req->buffered);
  req->buffered = 0;
}

static void
request_free (Request *req)
{
  request_drop_body (req);
  server_db_close (req->db);
  g_free (req->method);
  g_free (req->path);
  g_free (req->address);
  g_free (req->device_id);
  g_free (req);
}

static enum MHD_Result
send_response (Request               *req,
               struct MHD_Connection *conn,
               unsigned int           status,
               const char            *content_type,
               const void            *data,
               gsize                  length,
               const char *const     *headers)
{
  struct MHD_Response *response;
  enum MHD_Result ret;

  response = MHD_create_response_from_buffer (length, (void *) data, MHD_RESPMEM_MUST_COPY);
  if (response == NULL)
    return MHD_NO;
  MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  MHD_add_response_header (response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    MHD_add_response_header (response, headers[i], headers[i + 1]);
  ret = MHD_queue_response (conn, status, response);
  MHD_destroy_response (response);
  req->status = status;
  req->bytes_out = length;
  req->answered = TRUE;
  return ret;
}

/* TRUE when the client's Accept-Encoding lists gzip (without q=0). */
static gboolean
accepts_gzip (struct MHD_Connection *conn)
{
  const char *value = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
  g_auto(GStrv) parts = NULL;

  if (value == NULL)
    return FALSE;
  parts = g_strsplit (value, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *item = g_ascii_strdown (parts[i], -1);
      char *semi = strchr (item, ';');
      double q = 1.0;

      if (semi != NULL)
        {
          const char *qp = strstr (semi + 1, "q=");

          *semi = '\0';
          if (qp != NULL)
            q = g_ascii_strtod (qp + 2, NULL);
        }
      g_strstrip (item);
      if ((strcmp (item, "gzip") == 0 || strcmp (item, "x-gzip") == 0) && q > 0)
        return TRUE;
    }
  return FALSE;
}

/* A JSON answer; a large one is gzip'd when the client accepts it. */
static enum MHD_Result
send_json (Request               *req,
           struct MHD_Connection *conn,
           unsigned int           status,
           const char            *json,
           const char *const     *headers)
{
  gsize length = strlen (json);

  if (length > 1024 && accepts_gzip (conn))
    {
      g_autoptr(GBytes) gz = clmrs_gzip_compress (json, length, NULL);

      if (gz != NULL)
        {
          const char *all[8] = { MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip", NULL };
          guint n = 2;

          for (guint i = 0; headers != NULL && headers[i] != NULL && n + 2 < G_N_ELEMENTS (all); i += 2)
            {
              all[n++] = headers[i];
              all[n++] = headers[i + 1];
            }
          all[n] = NULL;
          return send_response (req, conn, status, "application/json", g_bytes_get_data (gz, NULL),
                                g_bytes_get_size (gz), all);
        }
    }
  return send_response (req, conn, status, "application/json", json, length, headers);
}

/* Answers with the error body for @error (a SERVER_ERROR). */
static enum MHD_Result
send_error (Request               *req,
            struct MHD_Connection *conn,
            const GError          *error)
{
  guint code = error->domain == SERVER_ERROR && (guint) error->code < G_N_ELEMENTS (error_map)
               ? (guint) error->code : SERVER_ERROR_INTERNAL;
  g_autofree char *body = clmrs_wire_error_body (error_map[code].code, error->message);
  const char *headers[5] = { NULL };
  guint h = 0;

  if (code == SERVER_ERROR_RATE || code == SERVER_ERROR_BUSY)
    {
      headers[h++] = MHD_HTTP_HEADER_RETRY_AFTER;
      headers[h++] = code == SERVER_ERROR_BUSY ? "2" : "1";
    }
  if (code == SERVER_ERROR_STORAGE)
    {
      /* A full disk takes an administrator; retrying soon only adds load. */
      headers[h++] = MHD_HTTP_HEADER_RETRY_AFTER;
      headers[h++] = "300";
    }
  if (code == SERVER_ERROR_UNAUTHORIZED)
    {
      headers[h++] = MHD_HTTP_HEADER_WWW_AUTHENTICATE;
      headers[h++] = "Bearer";
    }
  if (code == SERVER_ERROR_INTERNAL)
    g_warning ("%s %s from %s: %s", req->method, req->path, req->address, error->message);
  return send_json (req, conn, error_map[code].status, body, headers);
}

static enum MHD_Result G_GNUC_PRINTF (4, 5)
fail (Request               *req,
      struct MHD_Connection *conn,
      ServerError            code,
      const char            *format,
      ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (SERVER_ERROR, code, format, args);
  va_end (args);
  return send_error (req, conn, error);
}

/* Token bucket per client: @rate requests a second, bursts of up to @rate.
 * Returns 0 when allowed, else the seconds to wait. */
static guint
rate_check (Server     *server,
            const char *key)
{
  double rate = server->config->rate;
  gint64 now = g_get_monotonic_time ();
  Bucket *bucket;
  guint wait = 0;

  if (rate <= 0)
    return 0;
  g_mutex_lock (&server->rate_lock);
  /* Bounded memory: forget clients whose bucket has refilled anyway. */
  if (g_hash_table_size (server->buckets) > 4096)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, server->buckets);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Bucket *b = value;

          if (b->tokens + (double) (now - b->last_us) / 1e6 * rate >= MAX (rate, 1.0))
            g_hash_table_iter_remove (&iter);
        }
    }
  bucket = g_hash_table_lookup (server->buckets, key);
  if (bucket == NULL)
    {
      bucket = g_new0 (Bucket, 1);
      bucket->tokens = MAX (rate, 1.0);
      bucket->last_us = now;
      g_hash_table_insert (server->buckets, g_strdup (key), bucket);
    }
  bucket->tokens = MIN (MAX (rate, 1.0), bucket->tokens + (double) (now - bucket->last_us) / 1e6 * rate);
  bucket->last_us = now;
  if (bucket->tokens >= 1.0)
    bucket->tokens -= 1.0;
  else
    wait = (guint) MAX (1.0, ceil ((1.0 - bucket->tokens) / rate));
  g_mutex_unlock (&server->rate_lock);
  return wait;
}

/* Seconds @address must wait because of its wrong tokens, or 0. */
static guint
auth_blocked (Server     *server,
              const char *address)
{
  gint64 now = g_get_monotonic_time ();
  AuthFailures *failures;
  guint wait = 0;

  g_mutex_lock (&server->rate_lock);
  failures = g_hash_table_lookup (server->auth_failures, address);
  if (failures != NULL && now - failures->since_us >= AUTH_FAILURE_WINDOW_S * G_USEC_PER_SEC)
    g_hash_table_remove (server->auth_failures, address);
  else if (failures != NULL && failures->count >= AUTH_FAILURE_LIMIT)
    wait = (guint) MAX (1, (failures->since_us + AUTH_FAILURE_WINDOW_S * G_USEC_PER_SEC - now
                            + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  g_mutex_unlock (&server->rate_lock);
  return wait;
}

/* Counts a wrong token from @address. */
static void
auth_failed (Server     *server,
             const char *address)
{
  gint64 now = g_get_monotonic_time ();
  AuthFailures *failures;

  g_mutex_lock (&server->rate_lock);
  /* Bounded memory: forget windows that ended. */
  if (g_hash_table_size (server->auth_failures) > 4096)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, server->auth_failures);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (now - ((AuthFailures *) value)->since_us >= AUTH_FAILURE_WINDOW_S * G_USEC_PER_SEC)
          g_hash_table_iter_remove (&iter);
    }
  failures = g_hash_table_lookup (server->auth_failures, address);
  if (failures == NULL || now - failures->since_us >= AUTH_FAILURE_WINDOW_S * G_USEC_PER_SEC)
    {
      failures = g_new0 (AuthFailures, 1);
      failures->since_us = now;
      g_hash_table_insert (server->auth_failures, g_strdup (address), failures);
    }
  failures->count++;
  g_mutex_unlock (&server->rate_lock);
}

static char *
client_address (struct MHD_Connection *conn)
{
  const union MHD_ConnectionInfo *info = MHD_get_connection_info (conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  char host[NI_MAXHOST];

  if (info == NULL || info->client_addr == NULL)
    return g_strdup ("?");
  if (getnameinfo (info->client_addr,
                   info->client_addr->sa_family == AF_INET6 ? sizeof (struct sockaddr_in6)
                                                            : sizeof (struct sockaddr_in),
                   host, sizeof host, NULL, 0, NI_NUMERICHOST) != 0)
    return g_strdup ("?");
  return g_strdup (host);
}

static Route
route_of (const char *url)
{
  if (strcmp (url, "/api/v1/health") == 0)
    return ROUTE_HEALTH;
  if (strcmp (url, "/api/v1/enroll") == 0)
    return ROUTE_ENROL;
  if (strcmp (url, "/api/v1/push") == 0)
    return ROUTE_PUSH;
  if (strcmp (url, "/api/v1/pull") == 0)
    return ROUTE_PULL;
  if (strcmp (url, "/api/v1/problems") == 0)
    return ROUTE_PROBLEMS;
  if (strcmp (url, "/api/v1/people") == 0)
    return ROUTE_PEOPLE;
  if (g_str_has_prefix (url, "/api/v1/media/") && g_uuid_string_is_valid (url + strlen ("/api/v1/media/")))
    return ROUTE_MEDIA;
  if (strcmp (url, "/api/v1/unlock-secret") == 0)
    return ROUTE_UNLOCK_SECRET;
  if (strcmp (url, "/api/v1/first-sign-in") == 0)
    return ROUTE_FIRST_SIGN_IN;
  return ROUTE_NONE;
}

static const char *
route_method (Route route)
{
  if (route == ROUTE_ENROL || route == ROUTE_PUSH || route == ROUTE_PROBLEMS || route == ROUTE_MEDIA ||
      route == ROUTE_FIRST_SIGN_IN)
    return MHD_HTTP_METHOD_POST;
  /* Monitoring probes and load balancers check liveness with HEAD. */
  if (route == ROUTE_HEALTH)
    return "GET, HEAD";
  return MHD_HTTP_METHOD_GET;
}

/* Whether @method is one @route answers. */
static gboolean
route_allows (Route       route,
              const char *method)
{
  if (route == ROUTE_HEALTH)
    return strcmp (method, MHD_HTTP_METHOD_GET) == 0 || strcmp (method, MHD_HTTP_METHOD_HEAD) == 0;
  return strcmp (method, route_method (route)) == 0;
}

/* Whether @n more bytes would fit in the budget now (nothing reserved). */
static gboolean
budget_fits (Server *server,
             gsize   n)
{
  gboolean fits;

  g_mutex_lock (&server->budget_lock);
  fits = n <= server->config->max_inflight - MIN (server->inflight, server->config->max_inflight);
  g_mutex_unlock (&server->budget_lock);
  return fits;
}

static enum MHD_Result
fail_over_budget (Request               *req,
                  struct MHD_Connection *conn)
{
  return fail (req, conn, SERVER_ERROR_BUSY,
               "the server is receiving too many uploads at once (over its --max-inflight of %"
               G_GSIZE_FORMAT " bytes); nothing was stored, retry after the Retry-After seconds",
               req->server->config->max_inflight);
}

/* Notes when and from where an authenticated device was last heard from,
 * and how many records it says wait in its queue (X-Clmrs-Queue), for
 * `clmrs-server devices`.  A failure to note it does not fail the request. */
static gboolean
note_contact (Request               *req,
              struct MHD_Connection *conn,
              enum MHD_Result       *ret)
{
  const char *value = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "X-Clmrs-Queue");
  g_autoptr(GError) error = NULL;
  guint64 queue = 0;

  if (value != NULL && !g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &queue, NULL))
    {
      *ret = fail (req, conn, SERVER_ERROR_BAD_REQUEST,
                   "X-Clmrs-Queue: expected the number of records queued on the device");
      return FALSE;
    }
  if (!server_db_note_contact (req->db, req->device_id, req->address,
                               value != NULL ? (gint64) queue : -1, &error))
    g_debug ("noting the contact of %s: %s", req->device_id, error->message);
  return TRUE;
}

typedef struct {
  guint       content_lengths;
  const char *content_length;
  gboolean    differ;
  gboolean    transfer_encoding;
} Framing;

static enum MHD_Result
framing_cb (void               *cls,
            enum MHD_ValueKind  kind,
            const char         *key,
            const char         *value)
{
  Framing *framing = cls;

  if (g_ascii_strcasecmp (key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
    {
      if (framing->content_lengths++ > 0 && g_strcmp0 (framing->content_length, value) != 0)
        framing->differ = TRUE;
      framing->content_length = value;
    }
  else if (g_ascii_strcasecmp (key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
    framing->transfer_encoding = TRUE;
  return MHD_YES;
}

/* A request whose length is told two ways is refused: libmicrohttpd 0.9.75
 * takes the first of two Content-Length values, and Transfer-Encoding over
 * Content-Length, where a proxy in front may pick the other, and the rest
 * of the body then reads as a second request (request smuggling).  The
 * answer closes the connection, since where this request ends is unknown. */
static gboolean
check_framing (Request               *req,
               struct MHD_Connection *conn,
               enum MHD_Result       *ret)
{
  Framing framing = { 0 };
  const char *message = NULL;

  MHD_get_connection_values (conn, MHD_HEADER_KIND, framing_cb, &framing);
  if (framing.differ)
    message = "Content-Length: sent more than once with different values; send it once";
  else if (framing.transfer_encoding && framing.content_lengths > 0)
    message = "Transfer-Encoding and Content-Length: both sent; send one of them";
  if (message == NULL)
    return TRUE;
  {
    g_autofree char *body = clmrs_wire_error_body ("bad_request", message);
    const char *headers[] = { MHD_HTTP_HEADER_CONNECTION, "close", NULL };

    *ret = send_json (req, conn, 400, body, headers);
  }
  return FALSE;
}

/* X-Clmrs-Size of a media chunk's file, against --max-media. */
static gboolean
check_media_size (Request               *req,
                  struct MHD_Connection *conn,
                  enum MHD_Result       *ret)
{
  const char *value = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "X-Clmrs-Size");
  g_autoptr(GError) error = NULL;
  guint64 size;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &size, NULL))
    {
      *ret = fail (req, conn, SERVER_ERROR_BAD_REQUEST, "X-Clmrs-Size: expected the file's size in bytes");
      return FALSE;
    }
  if (!server_media_check_size (req->path + strlen ("/api/v1/media/"), (gint64) size,
                                req->server->config->max_media, &error))
    {
      *ret = send_error (req, conn, error);
      return FALSE;
    }
  return TRUE;
}

/* Everything decided from the headers alone, before any body byte is
 * read: route, method, authentication, rate, encoding and declared size.
 * Returns FALSE when an answer was queued. */
static gboolean
check_headers (Request               *req,
               struct MHD_Connection *conn,
               enum MHD_Result       *ret)
{
  Server *server = req->server;
  const char *value;
  g_autoptr(GError) error = NULL;
  g_autofree char *rate_key = NULL;
  guint wait;

  if (!check_framing (req, conn, ret))
    return FALSE;
  if (req->route == ROUTE_NONE)
    {
      *ret = fail (req, conn, SERVER_ERROR_NOT_FOUND, "%s: no such endpoint", req->path);
      return FALSE;
    }
  if (!route_allows (req->route, req->method))
    {
      const char *headers[] = { MHD_HTTP_HEADER_ALLOW, route_method (req->route), NULL };
      g_autofree char *body = NULL;
      g_autofree char *message = g_strdup_printf ("%s: use %s, not %s", req->path,
                                                  req->route == ROUTE_HEALTH ? "GET or HEAD"
                                                                             : route_method (req->route),
                                                  req->method);

      body = clmrs_wire_error_body ("method_not_allowed", message);
      *ret = send_json (req, conn, 405, body, headers);
      return FALSE;
    }

  if (req->route == ROUTE_PUSH || req->route == ROUTE_PULL || req->route == ROUTE_PROBLEMS ||
      req->route == ROUTE_PEOPLE || req->route == ROUTE_MEDIA || req->route == ROUTE_UNLOCK_SECRET)
    {
      /* Checked before the token, so a blocked address learns nothing
       * about the tokens it keeps trying. */
      wait = auth_blocked (server, req->address);
      if (wait > 0)
        {
          g_autofree char *seconds = g_strdup_printf ("%u", wait);
          g_autofree char *body = clmrs_wire_error_body ("rate_limited",
                                                         "too many wrong tokens from this address; "
                                                         "retry after the Retry-After seconds");
          const char *headers[] = { MHD_HTTP_HEADER_RETRY_AFTER, seconds, NULL };

          *ret = send_json (req, conn, 429, body, headers);
          return FALSE;
        }
      value = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
      if (value == NULL)
        {
          *ret = fail (req, conn, SERVER_ERROR_UNAUTHORIZED,
                       "Authorization: missing; send \"Authorization: Bearer <token>\"");
          return FALSE;
        }
      if (g_ascii_strncasecmp (value, "Bearer ", 7) != 0 || value[7] == '\0')
        {
          *ret = fail (req, conn, SERVER_ERROR_UNAUTHORIZED,
                       "Authorization: expected \"Bearer <token>\"");
          return FALSE;
        }
      req->db = server_db_open (server->config->db_path, &error);
      if (req->db == NULL)
        {
          *ret = send_error (req, conn, error);
          return FALSE;
        }
      req->device_id = server_db_authenticate (req->db, value + 7, &error);
      if (req->device_id == NULL)
        {
          if (g_error_matches (error, SERVER_ERROR, SERVER_ERROR_UNAUTHORIZED))
            auth_failed (server, req->address);
          *ret = send_error (req, conn, error);
          return FALSE;
        }
      if (!note_contact (req, conn, ret))
        return FALSE;
      rate_key = g_strconcat ("device:", req->device_id, NULL);
    }
  else
    rate_key = g_strconcat ("address:", req->address, NULL);

  wait = rate_check (server, rate_key);
  if (wait > 0)
    {
      g_autofree char *seconds = g_strdup_printf ("%u", wait);
      g_autofree char *body = clmrs_wire_error_body ("rate_limited",
                                                     "too many requests; retry after the Retry-After seconds");
      const char *headers[] = { MHD_HTTP_HEADER_RETRY_AFTER, seconds, NULL };

      *ret = send_json (req, conn, 429, body, headers);
      return FALSE;
    }

  /* a file over the limit is refused before any of its bytes is read */
  if (req->route == ROUTE_MEDIA && !check_media_size (req, conn, ret))
    return FALSE;
  if (req->route == ROUTE_PUSH || req->route == ROUTE_ENROL || req->route == ROUTE_PROBLEMS ||
      req->route == ROUTE_MEDIA || req->route == ROUTE_FIRST_SIGN_IN)
    {
      req->limit = req->route == ROUTE_PUSH || req->route == ROUTE_MEDIA ? server->config->max_body : ENROL_MAX_BODY;
      value = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
      if (req->route == ROUTE_PUSH
          && (value == NULL || (g_ascii_strcasecmp (value, "gzip") != 0
                                && g_ascii_strcasecmp (value, "x-gzip") != 0)))
        {
          *ret = fail (req, conn, SERVER_ERROR_UNSUPPORTED_ENCODING,
                       "Content-Encoding: expected gzip, got %s", value != NULL ? value : "none");
          return FALSE;
        }
      if (req->route == ROUTE_MEDIA && value != NULL && g_ascii_strcasecmp (value, "identity") != 0)
        {
          *ret = fail (req, conn, SERVER_ERROR_UNSUPPORTED_ENCODING,
                       "Content-Encoding: a media chunk is sent as it is, got %s", value);
          return FALSE;
        }
      if (req->route != ROUTE_PUSH && value != NULL && g_ascii_strcasecmp (value, "identity") != 0
          && g_ascii_strcasecmp (value, "gzip") != 0)
        {
          *ret = fail (req, conn, SERVER_ERROR_UNSUPPORTED_ENCODING,
                       "Content-Encoding: expected gzip or none, got %s", value);
          return FALSE;
        }
      value = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
      if (value != NULL)
        {
          guint64 declared;

          if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &declared, NULL))
            {
              *ret = fail (req, conn, SERVER_ERROR_BAD_REQUEST, "Content-Length: not a number");
              return FALSE;
            }
          if (declared > req->limit)
            {
              *ret = fail (req, conn, SERVER_ERROR_TOO_LARGE,
                           "request body of %" G_GUINT64_FORMAT " bytes exceeds the limit of %"
                           G_GSIZE_FORMAT " bytes", declared, req->limit);
              return FALSE;
            }
          /* Told at once rather than after the upload; the budget itself
           * is enforced chunk by chunk as the body arrives. */
          if (!budget_fits (server, (gsize) declared))
            {
              *ret = fail_over_budget (req, conn);
              return FALSE;
            }
        }
      if (req->route == ROUTE_PUSH)
        {
          value = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "Idempotency-Key");
          if (value == NULL || !g_uuid_string_is_valid (value))
            {
              *ret = fail (req, conn, SERVER_ERROR_BAD_REQUEST,
                           "Idempotency-Key: %s; expected a UUID naming the batch",
                           value == NULL ? "missing" : "not a UUID");
              return FALSE;
            }
        }
      req->body = g_byte_array_new ();
    }
  return TRUE;
}

/* The request body, decompressed when Content-Encoding says gzip. */
static GBytes *
request_body (Request               *req,
              struct MHD_Connection *conn,
              gsize                  max_inflated,
              GError               **error)
{
  const char *encoding = MHD_lookup_connection_value (conn, MHD_HEADER_KIND,
                                                      MHD_HTTP_HEADER_CONTENT_ENCODING);
  g_autoptr(GError) local_error = NULL;
  GBytes *bytes;

  if (encoding == NULL || g_ascii_strcasecmp (encoding, "identity") == 0)
    return g_bytes_new (req->body->data, req->body->len);
  bytes = clmrs_gzip_decompress (req->body->data, req->body->len, max_inflated, &local_error);
  if (bytes == NULL)
    g_set_error_literal (error, SERVER_ERROR,
                         g_error_matches (local_error, CLMRS_WIRE_ERROR, CLMRS_WIRE_ERROR_TOO_LARGE)
                         ? SERVER_ERROR_TOO_LARGE : SERVER_ERROR_MALFORMED_GZIP,
                         local_error->message);
  return bytes;
}

static enum MHD_Result
handle_health (Request               *req,
               struct MHD_Connection *conn)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *body = g_strdup_printf ("{\"protocol\":%d,\"server\":\"%s\",\"time\":\"%s\",\"version\":\"%s\"}",
                                           CLMRS_WIRE_VERSION, SERVER_NAME, time, CLMRS_VERSION);

  return send_json (req, conn, 200, body, NULL);
}

/* The body of an unauthenticated request (at most ENROL_MAX_BODY) as a
 * JSON object, or NULL with the answer queued in *@ret (@expected names
 * its members). */
static JsonNode *
request_json_object (Request               *req,
                     struct MHD_Connection *conn,
                     const char            *expected,
                     enum MHD_Result       *ret)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = request_body (req, conn, ENROL_MAX_BODY, &error);
  JsonNode *root;
  const char *data;
  gsize length;

  if (bytes == NULL)
    {
      *ret = send_error (req, conn, error);
      return NULL;
    }
  data = g_bytes_get_data (bytes, &length);
  root = clmrs_wire_parse_json (length > 0 ? data : "", length, 1, &error);
  if (root == NULL)
    {
      *ret = fail (req, conn, SERVER_ERROR_MALFORMED_JSON, "%s", error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      json_node_unref (root);
      *ret = fail (req, conn, SERVER_ERROR_BAD_REQUEST, "expected a JSON object %s", expected);
      return NULL;
    }
  return root;
}

static enum MHD_Result
handle_enrol (Request               *req,
               struct MHD_Connection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *response = NULL;
  enum MHD_Result ret;
  JsonObject *object;
  JsonNode *code, *name, *people;

  root = request_json_object (req, conn, "{\"code\", \"device_name\"}", &ret);
  if (root == NULL)
    return ret;
  object = json_node_get_object (root);
  code = json_object_get_member (object, "code");
  name = json_object_get_member (object, "device_name");
  if (code == NULL || json_node_get_value_type (code) != G_TYPE_STRING || *json_node_get_string (code) == '\0')
    return fail (req, conn, SERVER_ERROR_BAD_REQUEST, "code: expected a non-empty string");
  if (name == NULL || json_node_get_value_type (name) != G_TYPE_STRING
      || *json_node_get_string (name) == '\0' || g_utf8_strlen (json_node_get_string (name), -1) > 200)
    return fail (req, conn, SERVER_ERROR_BAD_REQUEST, "device_name: expected a string of 1 to 200 characters");
  /* a device set up offline declares its people (server-people.c) */
  people = json_object_get_member (object, "people");
  if (people != NULL && !server_people_check_declared (people, &error))
    return send_error (req, conn, error);

  req->db = server_db_open (req->server->config->db_path, &error);
  if (req->db == NULL)
    return send_error (req, conn, error);
  /* A device enrolling again sends the token it holds: that entry is
   * revoked with the enrolment, so one device never holds two tokens. */
  {
    const char *auth = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *old_token = auth != NULL && g_ascii_strncasecmp (auth, "Bearer ", 7) == 0 && auth[7] != '\0'
                            ? auth + 7 : NULL;

    response = server_db_enrol (req->db, json_node_get_string (code), json_node_get_string (name),
                                 old_token, people, &error);
  }
  if (response == NULL)
    return send_error (req, conn, error);
  {
    g_autoptr(JsonNode) parsed = json_from_string (response, NULL);

    if (parsed != NULL)
      {
        req->device_id = g_strdup (json_object_get_string_member (json_node_get_object (parsed), "device_id"));
        /* the key the device seals its data key to, for recovery */
        if (req->server->config->recovery_public_key != NULL)
          {
            json_object_set_string_member (json_node_get_object (parsed), "recovery_public_key",
                                           req->server->config->recovery_public_key);
            g_free (response);
            response = json_to_string (parsed, FALSE);
          }
      }
  }
  return send_json (req, conn, 201, response, NULL);
}

/* A device reports the records it received and could not apply. */
static enum MHD_Result
handle_problems (Request               *req,
                 struct MHD_Connection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *response = NULL;
  const char *data;
  gsize length;
  guint recorded = 0;

  bytes = request_body (req, conn, ENROL_MAX_BODY, &error);
  if (bytes == NULL)
    return send_error (req, conn, error);
  data = g_bytes_get_data (bytes, &length);
  root = clmrs_wire_parse_json (length > 0 ? data : "", length, 1, &error);
  if (root == NULL)
    return fail (req, conn, SERVER_ERROR_MALFORMED_JSON, "%s", error->message);
  if (!server_db_report_problems (req->db, req->device_id, root, &recorded, &error))
    return send_error (req, conn, error);
  response = g_strdup_printf ("{\"recorded\":%u}", recorded);
  return send_json (req, conn, 200, response, NULL);
}

static enum MHD_Result
handle_push (Request               *req,
             struct MHD_Connection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *response = NULL;
  const char *key = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "Idempotency-Key");
  const char *prefer = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "Prefer");
  gboolean minimal = prefer != NULL && strstr (prefer, "return=minimal") != NULL;
  gboolean replayed = FALSE;
  const char *data;
  gsize length;

  bytes = request_body (req, conn, req->server->config->max_inflated, &error);
  if (bytes == NULL)
    return send_error (req, conn, error);
  data = g_bytes_get_data (bytes, &length);
  response = server_db_push (req->db, req->device_id, key, length > 0 ? data : "", length,
                             minimal, &replayed, &error);
  if (response == NULL)
    return send_error (req, conn, error);
  /* the batch's records go on to the derived store (cases, indicators) */
  if (!replayed)
    server_applier_poke (req->server->applier);
  {
    gboolean applied = minimal && strstr (response, "\"omitted\":\"stored\"") != NULL;
    const char *headers[] = { "X-Clmrs-Replayed", replayed ? "true" : "false",
                              applied ? "Preference-Applied" : NULL, "return=minimal", NULL };

    return send_json (req, conn, 200, response, headers);
  }
}

static enum MHD_Result
handle_pull (Request               *req,
             struct MHD_Connection *conn)
{
  ServerConfig *config = req->server->config;
  const char *cursor_text = MHD_lookup_connection_value (conn, MHD_GET_ARGUMENT_KIND, "cursor");
  const char *limit_text = MHD_lookup_connection_value (conn, MHD_GET_ARGUMENT_KIND, "limit");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GBytes) gz = NULL;
  g_autofree char *next_text = NULL;
  g_autofree char *count_text = NULL;
  guint64 cursor = 0, limit = config->pull_max_records;
  gint64 next;
  gboolean has_more;
  guint count;
  gsize length;
  const void *data;

  if (cursor_text != NULL && *cursor_text != '\0'
      && !g_ascii_string_to_unsigned (cursor_text, 10, 0, G_MAXINT64, &cursor, NULL))
    return fail (req, conn, SERVER_ERROR_BAD_REQUEST,
                 "cursor: expected the value of an earlier X-Clmrs-Cursor header (or 0)");
  if (limit_text != NULL
      && !g_ascii_string_to_unsigned (limit_text, 10, 1, config->pull_max_records, &limit, NULL))
    return fail (req, conn, SERVER_ERROR_BAD_REQUEST, "limit: expected an integer from 1 to %u",
                 config->pull_max_records);

  page = server_db_pull (req->db, req->device_id, (gint64) cursor, (guint) limit, config->pull_max_bytes,
                         &next, &has_more, &count, &error);
  if (page == NULL)
    return send_error (req, conn, error);
  data = g_bytes_get_data (page, &length);
  gz = clmrs_gzip_compress (length > 0 ? data : "", length, &error);
  if (gz == NULL)
    return send_error (req, conn, error);
  next_text = g_strdup_printf ("%" G_GINT64_FORMAT, next);
  count_text = g_strdup_printf ("%u", count);
  {
    const char *headers[] = {
      MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip",
      "X-Clmrs-Cursor", next_text,
      "X-Clmrs-Has-More", has_more ? "true" : "false",
      "X-Clmrs-Count", count_text,
      NULL,
    };

    data = g_bytes_get_data (gz, &length);
    return send_response (req, conn, 200, "application/x-ndjson", data, length, headers);
  }
}

/* POST /api/v1/media/ID: one chunk of a media file (server-media.c). */
static enum MHD_Result
handle_media (Request               *req,
              struct MHD_Connection *conn)
{
  static const char *const required[] = { "X-Clmrs-Record", "X-Clmrs-Question", "X-Clmrs-Name",
                                          "X-Clmrs-Media-Type", "X-Clmrs-Sha256", "X-Clmrs-Offset" };
  const char *values[G_N_ELEMENTS (required)];
  g_autoptr(GError) error = NULL;
  g_autofree char *response = NULL;
  ServerMediaChunk chunk = { .media_id = req->path + strlen ("/api/v1/media/") };
  guint64 number;

  for (gsize i = 0; i < G_N_ELEMENTS (required); i++)
    {
      values[i] = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, required[i]);
      if (values[i] == NULL || *values[i] == '\0' || !g_utf8_validate (values[i], -1, NULL))
        return fail (req, conn, SERVER_ERROR_BAD_REQUEST, "%s: missing", required[i]);
    }
  if (!g_uuid_string_is_valid (values[0]))
    return fail (req, conn, SERVER_ERROR_BAD_REQUEST, "X-Clmrs-Record: expected the visit's id (a UUID)");
  if (strlen (values[4]) != 64 || strspn (values[4], "0123456789abcdefABCDEF") != 64)
    return fail (req, conn, SERVER_ERROR_BAD_REQUEST, "X-Clmrs-Sha256: expected 64 hex digits");
  if (!g_ascii_string_to_unsigned (values[5], 10, 0, G_MAXINT64, &number, NULL))
    return fail (req, conn, SERVER_ERROR_BAD_REQUEST, "X-Clmrs-Offset: expected a number of bytes");
  chunk.offset = (gint64) number;
  g_ascii_string_to_unsigned (MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "X-Clmrs-Size"),
                              10, 0, G_MAXINT64, &number, NULL);
  chunk.size = (gint64) number;
  chunk.record_id = values[0];
  chunk.ref = values[1];
  chunk.name = values[2];
  chunk.mime = values[3];
  chunk.sha256 = values[4];
  chunk.data = req->body->data;
  chunk.length = req->body->len;
  response = server_media_put_chunk (req->db, req->device_id, &chunk, req->server->config->max_media, &error);
  if (response == NULL)
    return send_error (req, conn, error);
  return send_json (req, conn, 200, response, NULL);
}

/* GET /api/v1/people: the people of the device's communities. */
static enum MHD_Result
handle_people (Request               *req,
               struct MHD_Connection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = server_db_people_json (req->db, req->device_id, &error);

  if (body == NULL)
    return send_error (req, conn, error);
  return send_json (req, conn, 200, body, NULL);
}

/* 200 {"unlock_secret": @secret (base64)}; @secret is wiped. */
static enum MHD_Result
send_unlock_secret (Request               *req,
                    struct MHD_Connection *conn,
                    char                  *secret)
{
  g_autofree char *body = g_strdup_printf ("{\"unlock_secret\":\"%s\"}", secret);
  enum MHD_Result ret;

  memset (secret, 0, strlen (secret));
  ret = send_json (req, conn, 200, body, NULL);
  memset (body, 0, strlen (body));
  return ret;
}

/* GET /api/v1/unlock-secret: what this device wraps its data key with,
 * for its people's first sign-in with a one-time PIN. */
static enum MHD_Result
handle_unlock_secret (Request               *req,
                      struct MHD_Connection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = server_db_unlock_secret (req->db, req->device_id, &error);

  if (secret == NULL)
    return send_error (req, conn, error);
  return send_unlock_secret (req, conn, secret);
}

/* POST /api/v1/first-sign-in {device_id, person_id, one_time_pin}: no
 * token (nobody can open the device's database yet); the one-time PIN is
 * the credential, counted and spent by server_db_first_sign_in(). */
static enum MHD_Result
handle_first_sign_in (Request               *req,
                      struct MHD_Connection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *secret = NULL;
  const char *members[] = { "device_id", "person_id", "one_time_pin" };
  const char *values[3];
  enum MHD_Result ret;
  JsonObject *object;

  root = request_json_object (req, conn, "{\"device_id\", \"person_id\", \"one_time_pin\"}", &ret);
  if (root == NULL)
    return ret;
  object = json_node_get_object (root);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *node = json_object_get_member (object, members[i]);

      values[i] = node != NULL && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
      if (values[i] == NULL || (i < 2 && !g_uuid_string_is_valid (values[i])) || (i == 2 && *values[i] == '\0'))
        return fail (req, conn, SERVER_ERROR_BAD_REQUEST, "%s: expected %s", members[i],
                     i < 2 ? "a UUID" : "the one-time PIN");
    }
  req->db = server_db_open (req->server->config->db_path, &error);
  if (req->db == NULL)
    return send_error (req, conn, error);
  secret = server_db_first_sign_in (req->db, values[0], values[1], values[2], &error);
  if (secret == NULL)
    return send_error (req, conn, error);
  req->device_id = g_strdup (values[0]);
  return send_unlock_secret (req, conn, secret);
}

static enum MHD_Result
access_cb (void                  *cls,
           struct MHD_Connection *conn,
           const char            *url,
           const char            *method,
           const char            *version,
           const char            *upload_data,
           size_t                *upload_data_size,
           void                 **con_cls)
{
  Server *server = cls;
  Request *req = *con_cls;
  enum MHD_Result ret = MHD_YES;

  if (req == NULL)
    {
      req = g_new0 (Request, 1);
      req->server = server;
      req->method = g_strdup (method);
      req->path = g_strndup (url, MIN (strlen (url), 200));
      /* The log gets one line a request: no control characters from the URL. */
      for (char *p = req->path; *p != '\0'; p++)
        if ((guchar) *p < 0x20 || *p == 0x7f)
          *p = '?';
      req->route = route_of (url);
      req->address = client_address (conn);
      req->start_us = g_get_monotonic_time ();
      *con_cls = req;
      if (!check_headers (req, conn, &ret))
        return ret;
      return MHD_YES;
    }
  if (req->answered)
    {
      /* Answered already (from the headers): drop whatever body follows. */
      *upload_data_size = 0;
      return MHD_YES;
    }

  if (*upload_data_size > 0)
    {
      gsize n = *upload_data_size;

      *upload_data_size = 0;
      req->received += n;
      if (req->limit == 0)
        return MHD_YES;     /* a route without a body: counted, dropped */
      if (req->received > req->limit)
        {
          /* Counted, not kept; a body far past the limit is cut off. */
          req->too_large = TRUE;
          request_drop_body (req);
          if (req->received > req->limit * 4 + 1024 * 1024)
            return MHD_NO;
          return MHD_YES;
        }
      if (req->over_budget)
        return MHD_YES;     /* dropped; the limit above still bounds it */
      if (!budget_take (req->server, n))
        {
          /* Many large uploads at once would take the server's memory:
           * this one is answered 503 once sent, and buffers nothing. */
          req->over_budget = TRUE;
          request_drop_body (req);
          return MHD_YES;
        }
      req->buffered += n;
      g_byte_array_append (req->body, (const guint8 *) upload_data, (guint) n);
      return MHD_YES;
    }

  if (req->too_large)
    return fail (req, conn, SERVER_ERROR_TOO_LARGE,
                 "request body of %" G_GSIZE_FORMAT " bytes or more exceeds the limit of %"
                 G_GSIZE_FORMAT " bytes", req->received, req->limit);
  if (req->over_budget)
    return fail_over_budget (req, conn);

  switch (req->route)
    {
    case ROUTE_HEALTH: ret = handle_health (req, conn); break;
    case ROUTE_ENROL: ret = handle_enrol (req, conn); break;
    case ROUTE_PUSH: ret = handle_push (req, conn); break;
    case ROUTE_PULL: ret = handle_pull (req, conn); break;
    case ROUTE_PROBLEMS: ret = handle_problems (req, conn); break;
    case ROUTE_PEOPLE: ret = handle_people (req, conn); break;
    case ROUTE_MEDIA: ret = handle_media (req, conn); break;
    case ROUTE_UNLOCK_SECRET: ret = handle_unlock_secret (req, conn); break;
    case ROUTE_FIRST_SIGN_IN: ret = handle_first_sign_in (req, conn); break;
    case ROUTE_NONE:
    default:
      ret = fail (req, conn, SERVER_ERROR_NOT_FOUND, "%s: no such endpoint", req->path);
      break;
    }
  request_drop_body (req);
  return ret;
}

/* One log line a request, with the client's address: never a token,
 * never a record's content. */
static void
completed_cb (void                            *cls,
              struct MHD_Connection           *conn,
              void                           **con_cls,
              enum MHD_RequestTerminationCode  code)
{
  Request *req = *con_cls;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;

  if (req == NULL)
    return;
  now = g_date_time_new_now_utc ();
  stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  fprintf (stderr, "%s %s %s %u in=%" G_GSIZE_FORMAT " out=%" G_GSIZE_FORMAT " ms=%" G_GINT64_FORMAT
           " address=%s device=%s%s\n",
           stamp, req->method, req->path, req->answered ? req->status : 0, req->received,
           req->bytes_out, (g_get_monotonic_time () - req->start_us) / 1000, req->address,
           req->device_id != NULL ? req->device_id : "-",
           code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection closed early)");
  fflush (stderr);
  request_free (req);
  *con_cls = NULL;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

/* Splits "HOST:PORT" or "[V6]:PORT". */
static gboolean
parse_listen (const char  *listen,
              char       **host,
              char       **port)
{
  const char *colon;

  if (listen[0] == '[')
    {
      const char *end = strchr (listen, ']');

      if (end == NULL || end[1] != ':' || end[2] == '\0')
        return FALSE;
      *host = g_strndup (listen + 1, (gsize) (end - listen - 1));
      *port = g_strdup (end + 2);
      return TRUE;
    }
  colon = strrchr (listen, ':');
  if (colon == NULL || colon == listen || colon[1] == '\0')
    return FALSE;
  *host = g_strndup (listen, (gsize) (colon - listen));
  *port = g_strdup (colon + 1);
  return TRUE;
}

/* Whether @address is on this machine only (127.0.0.0/8, ::1, or an
 * IPv4 loopback address mapped into IPv6). */
static gboolean
is_loopback (const struct sockaddr *address)
{
  if (address->sa_family == AF_INET)
    return (ntohl (((const struct sockaddr_in *) address)->sin_addr.s_addr) >> 24) == 127;
  if (address->sa_family == AF_INET6)
    {
      const struct in6_addr *a6 = &((const struct sockaddr_in6 *) address)->sin6_addr;

      return IN6_IS_ADDR_LOOPBACK (a6) || (IN6_IS_ADDR_V4MAPPED (a6) && a6->s6_addr[12] == 127);
    }
  return FALSE;
}

/* A port is a number 0-65535 (0: any free one); getaddrinfo would take
 * 99999 and bind 99999 - 65536. */
static gboolean
valid_port (const char *port)
{
  guint64 value;

  return g_ascii_string_to_unsigned (port, 10, 0, 65535, &value, NULL);
}

/**
 * server_http_run:
 *
 * Serves the protocol on @config->listen until SIGINT or SIGTERM.  Prints
 * "clmrs-server: listening on http[s]://HOST:PORT" on stdout once the
 * socket is bound (PORT is the real one when 0 was asked).
 *
 * Returns: an exit status.
 */
int
server_http_run (ServerConfig *config)
{
  Server server = { .config = config };
  g_autofree char *host = NULL;
  g_autofree char *port = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  struct addrinfo hints = { 0 }, *addresses = NULL;
  struct MHD_Daemon *daemon;
  const union MHD_DaemonInfo *info;
  struct sockaddr_storage bound;
  socklen_t bound_length = sizeof bound;
  char bound_port[NI_MAXSERV] = "?";
  unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
  guint sigint, sigterm;
  int rc;

  if (!parse_listen (config->listen, &host, &port) || !valid_port (port))
    {
      g_printerr ("clmrs-server: --listen: expected HOST:PORT with a port from 0 to 65535, got \"%s\"\n",
                  config->listen);
      return SERVER_EXIT_USAGE;
    }
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  rc = getaddrinfo (host, port, &hints, &addresses);
  if (rc != 0)
    {
      g_printerr ("clmrs-server: --listen %s: %s\n", config->listen, gai_strerror (rc));
      return SERVER_EXIT_USAGE;
    }
  if (addresses->ai_family == AF_INET6)
    flags |= MHD_USE_IPv6;

  /* Tokens, enrolment codes and children's records must not cross a
   * network in the clear; plain HTTP is for loopback (tests, or a
   * TLS-terminating proxy on the same machine), or by explicit choice. */
  if (config->tls_cert == NULL && config->tls_key == NULL && !config->insecure_http
      && !is_loopback (addresses->ai_addr))
    {
      freeaddrinfo (addresses);
      g_printerr ("clmrs-server: --listen %s: not a loopback address, and plain HTTP there lets anyone "
                  "on the network read device tokens and children's records; give --tls-cert and "
                  "--tls-key, or --insecure-http if TLS ends in front of this server\n",
                  config->listen);
      return SERVER_EXIT_USAGE;
    }

  if (config->tls_cert != NULL || config->tls_key != NULL)
    {
      if (config->tls_cert == NULL || config->tls_key == NULL)
        {
          freeaddrinfo (addresses);
          g_printerr ("clmrs-server: --tls-cert and --tls-key go together\n");
          return SERVER_EXIT_USAGE;
        }
      if (!g_file_get_contents (config->tls_cert, &cert, NULL, &error)
          || !g_file_get_contents (config->tls_key, &key, NULL, &error))
        {
          freeaddrinfo (addresses);
          g_printerr ("clmrs-server: %s\n", error->message);
          return SERVER_EXIT_FAILURE;
        }
      if (MHD_is_feature_supported (MHD_FEATURE_TLS) != MHD_YES)
        {
          freeaddrinfo (addresses);
          g_printerr ("clmrs-server: this libmicrohttpd has no TLS support\n");
          return SERVER_EXIT_FAILURE;
        }
      flags |= MHD_USE_TLS;
    }

  /* Creates the schema before the first request, and forgets batch
   * responses older than 30 days (a retry that late is decided afresh,
   * which gives the same results for records already stored). */
  {
    g_autoptr(ServerDb) db = server_db_open (config->db_path, &error);

    if (db != NULL && !server_db_prune (db, 30 * 86400, &error))
      g_clear_pointer (&db, server_db_close);
    if (db == NULL)
      {
        freeaddrinfo (addresses);
        g_printerr ("clmrs-server: %s\n", error->message);
        return SERVER_EXIT_FAILURE;
      }
  }

  signal (SIGPIPE, SIG_IGN);
  /* first: records stored before a crash, or a store to rebuild */
  server.applier = server_applier_start (config->db_path);
  g_mutex_init (&server.rate_lock);
  server.buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  server.auth_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&server.budget_lock);

  /* The per-address limit keeps one address (a slow-loris holding
   * connections open with a byte now and then) from taking every
   * connection; the idle timeout closes what it holds still. */
  if (cert != NULL)
    daemon = MHD_start_daemon (flags, 0, NULL, NULL, access_cb, &server,
                               MHD_OPTION_SOCK_ADDR, addresses->ai_addr,
                               MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) 4,
                               MHD_OPTION_CONNECTION_TIMEOUT, config->idle_timeout,
                               MHD_OPTION_PER_IP_CONNECTION_LIMIT, config->per_address_connections,
                               MHD_OPTION_NOTIFY_COMPLETED, completed_cb, &server,
                               MHD_OPTION_HTTPS_MEM_CERT, cert,
                               MHD_OPTION_HTTPS_MEM_KEY, key,
                               MHD_OPTION_END);
  else
    daemon = MHD_start_daemon (flags, 0, NULL, NULL, access_cb, &server,
                               MHD_OPTION_SOCK_ADDR, addresses->ai_addr,
                               MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) 4,
                               MHD_OPTION_CONNECTION_TIMEOUT, config->idle_timeout,
                               MHD_OPTION_PER_IP_CONNECTION_LIMIT, config->per_address_connections,
                               MHD_OPTION_NOTIFY_COMPLETED, completed_cb, &server,
                               MHD_OPTION_END);
  freeaddrinfo (addresses);
  if (daemon == NULL)
    {
      g_printerr ("clmrs-server: cannot listen on %s (address in use, or bad TLS files?)\n",
                  config->listen);
      server_applier_stop (server.applier);
      g_hash_table_unref (server.buckets);
      g_hash_table_unref (server.auth_failures);
      g_mutex_clear (&server.rate_lock);
      g_mutex_clear (&server.budget_lock);
      return SERVER_EXIT_FAILURE;
    }

  info = MHD_get_daemon_info (daemon, MHD_DAEMON_INFO_LISTEN_FD);
  if (info != NULL && getsockname (info->listen_fd, (struct sockaddr *) &bound, &bound_length) == 0)
    getnameinfo ((struct sockaddr *) &bound, bound_length, NULL, 0, bound_port, sizeof bound_port,
                 NI_NUMERICSERV);
  /* The handlers are in place before anyone is told where to connect: a
   * SIGTERM right after the "listening" line stops the server cleanly. */
  loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm = g_unix_signal_add (SIGTERM, quit_cb, loop);
  printf ("clmrs-server: listening on %s://%s%s%s:%s\n", cert != NULL ? "https" : "http",
          strchr (host, ':') != NULL ? "[" : "", host, strchr (host, ':') != NULL ? "]" : "", bound_port);
  fflush (stdout);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  MHD_stop_daemon (daemon);
  server_applier_stop (server.applier);
  g_hash_table_unref (server.buckets);
  g_hash_table_unref (server.auth_failures);
  g_mutex_clear (&server.rate_lock);
  g_mutex_clear (&server.budget_lock);
  /* Tells an administrator (and the tests) how close --max-inflight came. */
  printf ("clmrs-server: stopped; at most %" G_GSIZE_FORMAT " request body bytes were buffered at once "
          "(--max-inflight %" G_GSIZE_FORMAT ")\n", server.inflight_peak, config->max_inflight);
  return SERVER_EXIT_OK;
}
