/* sync-harness.c: what the sync tests share: programs run to completion, a real clmrs-server on loopback, a fault-injecting TCP proxy. */
#define _GNU_SOURCE
#include "sync-harness.h"
#include "server.h"

#include "demo.h"
#include "device.h"
#include "store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- Programs ------------------------------------------------------------- */

char **
sync_test_environ (void)
{
  char **env = g_get_environ ();

  env = g_environ_setenv (env, "CLMRS_TODAY", "2026-06-30", TRUE);
  return g_environ_unsetenv (env, "CLMRS_DB");
}

/* The -pg runs of the sync tests (tests/meson.build sets CLMRS_TEST_STORE
 * to postgres): the server's store is the PostgreSQL cluster at
 * $CLMRS_TEST_PG_URI, through CLMRS_SERVER_TEST_PG_URI (server-store.c).
 * Without a cluster they report skipped (TAP's "1..0 # SKIP": meson
 * counts an exit status of 77 from a TAP test as an error), or fail where one is
 * required (CLMRS_TEST_REQUIRE_PG, CI).  Before main(): every test program
 * that links the harness. */
__attribute__((constructor)) static void
sync_test_choose_store (void)
{
  const char *uri = g_getenv ("CLMRS_TEST_PG_URI");

  if (g_strcmp0 (g_getenv ("CLMRS_TEST_STORE"), "postgres") != 0)
    {
      g_unsetenv ("CLMRS_SERVER_TEST_PG_URI");
      return;
    }
  if (uri == NULL || *uri == '\0')
    {
      if (g_getenv ("CLMRS_TEST_REQUIRE_PG") != NULL)
        {
          printf ("Bail out! no PostgreSQL cluster: CLMRS_TEST_PG_URI is not set (./test.sh starts one)\n");
          exit (1);
        }
      printf ("1..0 # SKIP no PostgreSQL cluster: CLMRS_TEST_PG_URI is not set (./test.sh starts one)\n");
      exit (0);
    }
  g_setenv ("CLMRS_SERVER_TEST_PG_URI", uri, TRUE);
}

const char *
sync_test_cli (void)
{
  const char *path = g_getenv ("CLMRS_CLI");

  g_assert_nonnull (path);
  return path;
}

const char *
sync_test_server_program (void)
{
  const char *path = g_getenv ("CLMRS_SERVER");

  g_assert_nonnull (path);
  return path;
}

/* Who signs in on each encrypted device database, by path: the CLI is
 * run with --person ID --pin-fd 0 and the PIN on its stdin. */
static GHashTable *signers;   /* path -> GStrv {person id, the lines of --pin-fd} */
static const char *next_input; /* stdin of the next run that signs nobody in */

void
sync_test_sign_in_plain (const char *db,
                         const char *person_id,
                         const char *pin)
{
  char **signer = g_new0 (char *, 3);

  if (signers == NULL)
    signers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
  signer[0] = g_strdup (person_id);
  signer[1] = g_strconcat (pin, "\n", NULL);
  g_hash_table_replace (signers, g_strdup (db), signer);
}

void
sync_test_sign_in (const char *db,
                   const char *person_id,
                   const char *pin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_device_sign_in (db, person_id, pin, NULL, &error);

  g_assert_no_error (error);
  sync_test_sign_in_plain (db, person_id, pin);
}

void
sync_test_set_pins (const char *db,
                    const char *lines)
{
  char **signer = signers != NULL ? g_hash_table_lookup (signers, db) : NULL;

  g_assert_nonnull (signer);
  g_free (signer[1]);
  signer[1] = g_strdup (lines);
}

void
sync_test_sign_in_first (const char *db,
                         const char *pin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) people = clmrs_device_list_people (db, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (people->len, >, 0);
  sync_test_sign_in (db, ((ClmrsKeyringPerson *) g_ptr_array_index (people, 0))->person_id, pin);
}

void
sync_test_sign_in_demo (const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) people = clmrs_device_list_people (db, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (people->len, >, 0);
  /* the demo's supervisor comes first */
  sync_test_sign_in (db, ((ClmrsKeyringPerson *) g_ptr_array_index (people, 0))->person_id,
                     CLMRS_DEMO_SUPERVISOR_PIN);
}

/* Runs argv to completion; stderr to the test log, and to @err when not NULL. */
static int
run_v (char       **out,
       char       **err,
       const char  *program,
       va_list      args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = sync_test_environ ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  g_autofree char *pin_line = NULL;
  const char *previous = NULL;

  g_ptr_array_add (argv, (gpointer) program);
  for (const char *a = va_arg (args, const char *); a != NULL; a = va_arg (args, const char *))
    {
      char **signer;

      g_ptr_array_add (argv, (gpointer) a);
      if (g_strcmp0 (previous, "--db") == 0 && signers != NULL && g_str_equal (program, sync_test_cli ()) &&
          (signer = g_hash_table_lookup (signers, a)) != NULL)
        {
          g_ptr_array_add (argv, (gpointer) "--person");
          g_ptr_array_add (argv, signer[0]);
          g_ptr_array_add (argv, (gpointer) "--pin-fd");
          g_ptr_array_add (argv, (gpointer) "0");
          pin_line = g_strdup (signer[1]);
        }
      previous = a;
    }
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_environ (launcher, env);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, pin_line ? pin_line : next_input ? next_input : "", NULL,
                                                &stdout_text, &stderr_text, &error));
  g_assert_no_error (error);
  if (stderr_text != NULL && *stderr_text != '\0')
    g_test_message ("%s %s: stderr: %s", program, argv->len > 2 ? (char *) argv->pdata[1] : "", stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

int
sync_test_run (char       **out,
               const char  *program,
               ...)
{
  va_list args;
  int status;

  va_start (args, program);
  status = run_v (out, NULL, program, args);
  va_end (args);
  return status;
}

int
sync_test_run_full (char       **out,
                    char       **err,
                    const char  *program,
                    ...)
{
  va_list args;
  int status;

  va_start (args, program);
  status = run_v (out, err, program, args);
  va_end (args);
  return status;
}

char *
sync_test_run_ok (const char *program,
                  ...)
{
  va_list args;
  char *out = NULL;
  int status;

  va_start (args, program);
  status = run_v (&out, NULL, program, args);
  va_end (args);
  if (status != 0)
    g_error ("%s exited with status %d", program, status);
  return out;
}

void
sync_test_init_ok (const char *db,
                   const char *pins,
                   ...)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list list;
  int status;

  /* run_v reads a va_list: this one is "--pin-fd 0 --db DB init" and ours */
  va_start (list, pins);
  for (const char *a = va_arg (list, const char *); a != NULL; a = va_arg (list, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (list);
  g_assert_cmpuint (argv->len, <=, 12);
  g_ptr_array_set_size (argv, 12);
  next_input = pins;
  status = sync_test_run_full (&out, &err, sync_test_cli (), "--pin-fd", "0", "--db", db, "init",
                               argv->pdata[0], argv->pdata[1], argv->pdata[2], argv->pdata[3],
                               argv->pdata[4], argv->pdata[5], argv->pdata[6], argv->pdata[7],
                               argv->pdata[8], argv->pdata[9], argv->pdata[10], argv->pdata[11], NULL);
  next_input = NULL;
  if (status != 0)
    g_error ("clmrs init %s: exit %d: %s", db, status, err);
}

char *
sync_test_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("clmrs-sync-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
sync_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        sync_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* ---- The server ------------------------------------------------------------ */

void
sync_test_server_start (SyncTestServer      *server,
                        const char          *db,
                        const char          *log,
                        const char * const  *extra_args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = sync_test_environ ();
  g_autofree char *line = NULL;
  const char *prefix = "clmrs-server: listening on ";
  const char *colon;

  g_assert_null (server->process);
  if (server->db != db)
    {
      g_free (server->db);
      server->db = g_strdup (db);
    }
  if (server->log != log)
    {
      g_free (server->log);
      server->log = g_strdup (log);
    }
  g_ptr_array_add (argv, (gpointer) sync_test_server_program ());
  g_ptr_array_add (argv, "serve");
  g_ptr_array_add (argv, "--db");
  g_ptr_array_add (argv, server->db);
  g_ptr_array_add (argv, "--listen");
  g_ptr_array_add (argv, "127.0.0.1:0");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_environ (launcher, env);
  /* appended: a restarted server keeps the log of the first */
  g_subprocess_launcher_take_stderr_fd (launcher, g_open (server->log, O_WRONLY | O_CREAT | O_APPEND, 0600));
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, prefix));
  g_free (server->url);
  server->url = g_strdup (line + strlen (prefix));
  colon = strrchr (server->url, ':');
  g_assert_nonnull (colon);
  server->port = (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
  g_assert_cmpuint (server->port, >, 0);
}

void
sync_test_server_stop (SyncTestServer *server,
                       gboolean        kill)
{
  g_autoptr(GError) error = NULL;

  if (server->process == NULL)
    return;
  if (kill)
    g_subprocess_force_exit (server->process);
  else
    g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  if (!kill)
    {
      g_assert_true (g_subprocess_get_if_exited (server->process));
      g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
    }
  g_clear_object (&server->process);
}

void
sync_test_server_clear (SyncTestServer *server)
{
  sync_test_server_stop (server, FALSE);
  g_clear_pointer (&server->db, g_free);
  g_clear_pointer (&server->log, g_free);
  g_clear_pointer (&server->url, g_free);
}

char *
sync_test_enrol_code (const char *db,
                       const char *communities)
{
  g_autofree char *out = sync_test_run_ok (sync_test_server_program (), "enroll-code", "--db", db,
                                           "--communities", communities, NULL);
  g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >=, 1);
  return g_strdup (lines[n - 1]);
}

char *
sync_test_add_person (const char *db,
                      const char *id,
                      const char *role,
                      const char *communities)
{
  g_autofree char *out = id != NULL
    ? sync_test_run_ok (sync_test_server_program (), "people", "add", "--db", db, "--id", id, "--name", "Test Person",
                        "--sex", "female", "--role", role, "--communities", communities, NULL)
    : sync_test_run_ok (sync_test_server_program (), "people", "add", "--db", db, "--name", "Test Person",
                        "--sex", "female", "--role", role, "--communities", communities, NULL);
  g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >=, 1);
  g_assert_true (g_uuid_string_is_valid (lines[n - 1]));
  if (id != NULL)
    g_assert_cmpstr (lines[n - 1], ==, id);
  return g_strdup (lines[n - 1]);
}

void
sync_test_promote (const char *db,
                   const char *person_id)
{
  g_autofree char *out = sync_test_run_ok (sync_test_server_program (), "people", "set-role", "--db", db,
                                           "--role", "supervisor", "--reason", "the device's supervisor",
                                           person_id, NULL);

  g_assert_nonnull (strstr (out, "is now a supervisor"));
}

gint64
sync_test_server_stat (const char *db,
                       const char *member)
{
  g_autofree char *out = sync_test_run_ok (sync_test_server_program (), "stats", "--db", db, "--json", NULL);
  g_autoptr(JsonNode) node = json_from_string (out, NULL);

  g_assert_nonnull (node);
  g_assert_true (json_object_has_member (json_node_get_object (node), member));
  return json_object_get_int_member (json_node_get_object (node), member);
}

gint
sync_test_compare_strings (gconstpointer a,
                           gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The non-empty lines of @text, sorted. */
static GPtrArray *
sorted_lines (const char *text)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = g_strsplit (text, "\n", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_ptr_array_add (lines, g_strdup (parts[i]));
  g_ptr_array_sort (lines, sync_test_compare_strings);
  return lines;
}

GPtrArray *
sync_test_server_export (const char *db)
{
  g_autofree char *out = sync_test_run_ok (sync_test_server_program (), "export", "--db", db, "--ndjson", NULL);

  return sorted_lines (out);
}

GPtrArray *
sync_test_device_export (const char *db)
{
  g_autofree char *out = sync_test_run_ok (sync_test_cli (), "--db", db, "export", "--ndjson", NULL);

  return sorted_lines (out);
}

void
sync_test_assert_same_lines (GPtrArray *a,
                             GPtrArray *b)
{
  for (guint i = 0; i < MIN (a->len, b->len); i++)
    g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
  g_assert_cmpuint (a->len, ==, b->len);
}

/* ---- The proxy ------------------------------------------------------------- */

struct _SyncProxy {
  int             listen_fd;
  int             stop_pipe[2];   /* readable once the proxy stops */
  char           *url;
  GThread        *acceptor;
  GMutex          lock;
  GPtrArray      *connections;    /* (element-type GThread) */
  guint16         upstream_port;
  SyncProxyFault  fault;
  gsize           fault_n;
  guint           fault_left;
  guint           faults_done;
  gsize           throttle;
  GArray         *open_clients;   /* (element-type int) the client side of each open connection */
};

typedef struct {
  SyncProxy      *proxy;
  int             client;
  SyncProxyFault  fault;
  gsize           n;
  guint16         upstream_port;
  gsize           throttle;
} Connection;

/* Waits until @fd is readable or the proxy stops; FALSE when it stops. */
static gboolean
wait_readable (SyncProxy *proxy,
               int        fd,
               int        other_fd,
               int       *ready_fd)
{
  for (;;)
    {
      struct pollfd fds[3] = { { proxy->stop_pipe[0], POLLIN, 0 }, { fd, POLLIN, 0 }, { other_fd, POLLIN, 0 } };
      int n = poll (fds, other_fd >= 0 ? 3 : 2, -1);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      if (fds[0].revents != 0)
        return FALSE;
      if (fds[1].revents != 0)
        {
          *ready_fd = fd;
          return TRUE;
        }
      if (other_fd >= 0 && fds[2].revents != 0)
        {
          *ready_fd = other_fd;
          return TRUE;
        }
    }
}

static gboolean
write_all (int         fd,
           const char *data,
           gsize       len)
{
  while (len > 0)
    {
      ssize_t n = send (fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

/* Sleeps as long as @bytes take at @rate bytes a second. */
static void
throttle_sleep (gsize bytes,
                gsize rate)
{
  if (rate > 0)
    g_usleep ((gulong) ((guint64) bytes * G_USEC_PER_SEC / rate));
}

/* Reads one whole HTTP request (headers and a Content-Length body). */
static gboolean
read_request (SyncProxy *proxy,
              int        fd)
{
  g_autoptr(GString) head = g_string_new (NULL);
  char buffer[16384];
  const char *end;
  gsize want, have;

  while ((end = strstr (head->str, "\r\n\r\n")) == NULL)
    {
      int ready;
      ssize_t n;

      if (!wait_readable (proxy, fd, -1, &ready))
        return FALSE;
      n = recv (fd, buffer, sizeof buffer - 1, 0);
      if (n <= 0)
        return FALSE;
      g_string_append_len (head, buffer, n);
    }
  want = 0;
  {
    g_autofree char *lower = g_ascii_strdown (head->str, end - head->str);
    const char *cl = strstr (lower, "\r\ncontent-length:");

    if (cl != NULL)
      want = g_ascii_strtoull (cl + strlen ("\r\ncontent-length:"), NULL, 10);
  }
  have = head->len - (end + 4 - head->str);
  while (have < want)
    {
      int ready;
      ssize_t n;

      if (!wait_readable (proxy, fd, -1, &ready))
        return FALSE;
      n = recv (fd, buffer, sizeof buffer, 0);
      if (n <= 0)
        return FALSE;
      have += n;
    }
  return TRUE;
}

static int
connect_upstream (guint16 port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static gpointer
connection_thread (gpointer data)
{
  Connection *c = data;
  SyncProxy *proxy = c->proxy;
  char buffer[4096];
  gsize up = 0, down = 0;
  int server = -1;

  if (c->fault == SYNC_PROXY_BLACKHOLE)
    {
      int ready;

      while (wait_readable (proxy, c->client, -1, &ready) && recv (c->client, buffer, sizeof buffer, 0) > 0)
        ;
      goto out;
    }
  if (c->fault == SYNC_PROXY_STATUS)
    {
      if (read_request (proxy, c->client))
        {
          const char *body = "{\"error\":{\"code\":\"injected\",\"message\":\"injected by the test proxy\"}}";
          g_autofree char *answer =
            g_strdup_printf ("HTTP/1.1 %u Injected\r\nContent-Type: application/json\r\n%s"
                             "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                             (guint) c->n, c->n == 429 || c->n == 503 ? "Retry-After: 1\r\n" : "",
                             strlen (body), body);
          write_all (c->client, answer, strlen (answer));
        }
      goto out;
    }

  server = connect_upstream (c->upstream_port);
  if (server < 0)
    goto out;  /* the server is down: the client sees the link drop */
  for (;;)
    {
      int ready, to;
      gsize room = sizeof buffer;
      ssize_t n;

      if (!wait_readable (proxy, c->client, server, &ready))
        break;
      to = ready == c->client ? server : c->client;
      if (c->throttle > 0)
        room = MIN (room, MAX (c->throttle / 20, 1));
      if (ready == c->client && c->fault == SYNC_PROXY_DROP_UP)
        room = MIN (room, c->n - up);
      if (ready == server && c->fault == SYNC_PROXY_DROP_DOWN)
        room = MIN (room, c->n - down);
      n = recv (ready, buffer, room, 0);
      if (n <= 0)
        break;
      throttle_sleep (n, c->throttle);
      if (!write_all (to, buffer, n))
        break;
      if (ready == c->client)
        up += n;
      else
        down += n;
      if ((c->fault == SYNC_PROXY_DROP_UP && up >= c->n) || (c->fault == SYNC_PROXY_DROP_DOWN && down >= c->n))
        break;
    }

out:
  if (server >= 0)
    close (server);
  g_mutex_lock (&proxy->lock);
  for (guint i = 0; i < proxy->open_clients->len; i++)
    if (g_array_index (proxy->open_clients, int, i) == c->client)
      {
        g_array_remove_index_fast (proxy->open_clients, i);
        break;
      }
  g_mutex_unlock (&proxy->lock);
  shutdown (c->client, SHUT_RDWR);
  close (c->client);
  g_free (c);
  return NULL;
}

static gpointer
acceptor_thread (gpointer data)
{
  SyncProxy *proxy = data;

  for (;;)
    {
      Connection *c;
      int ready, fd;

      if (!wait_readable (proxy, proxy->listen_fd, -1, &ready))
        return NULL;
      fd = accept4 (proxy->listen_fd, NULL, NULL, SOCK_CLOEXEC);
      if (fd < 0)
        continue;
      c = g_new0 (Connection, 1);
      c->proxy = proxy;
      c->client = fd;
      g_mutex_lock (&proxy->lock);
      c->upstream_port = proxy->upstream_port;
      c->throttle = proxy->throttle;
      if (proxy->fault_left > 0)
        {
          c->fault = proxy->fault;
          c->n = proxy->fault_n;
          proxy->fault_left--;
          proxy->faults_done++;
        }
      g_array_append_val (proxy->open_clients, fd);
      g_ptr_array_add (proxy->connections, g_thread_new ("proxy-connection", connection_thread, c));
      g_mutex_unlock (&proxy->lock);
    }
}

SyncProxy *
sync_proxy_new (guint16 upstream_port)
{
  SyncProxy *proxy = g_new0 (SyncProxy, 1);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
  socklen_t len = sizeof addr;

  proxy->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (proxy->listen_fd, >=, 0);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (proxy->listen_fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (proxy->listen_fd, 64), ==, 0);
  g_assert_cmpint (getsockname (proxy->listen_fd, (struct sockaddr *) &addr, &len), ==, 0);
  g_assert_cmpint (pipe2 (proxy->stop_pipe, O_CLOEXEC), ==, 0);
  proxy->url = g_strdup_printf ("http://127.0.0.1:%u", ntohs (addr.sin_port));
  proxy->upstream_port = upstream_port;
  proxy->connections = g_ptr_array_new ();
  proxy->open_clients = g_array_new (FALSE, FALSE, sizeof (int));
  g_mutex_init (&proxy->lock);
  proxy->acceptor = g_thread_new ("proxy-acceptor", acceptor_thread, proxy);
  return proxy;
}

void
sync_proxy_free (SyncProxy *proxy)
{
  g_assert_cmpint (write (proxy->stop_pipe[1], "x", 1), ==, 1);
  g_thread_join (proxy->acceptor);
  for (guint i = 0; i < proxy->connections->len; i++)
    g_thread_join (g_ptr_array_index (proxy->connections, i));
  g_ptr_array_unref (proxy->connections);
  g_array_unref (proxy->open_clients);
  close (proxy->listen_fd);
  close (proxy->stop_pipe[0]);
  close (proxy->stop_pipe[1]);
  g_mutex_clear (&proxy->lock);
  g_free (proxy->url);
  g_free (proxy);
}

const char *
sync_proxy_url (SyncProxy *proxy)
{
  return proxy->url;
}

void
sync_proxy_set_upstream (SyncProxy *proxy,
                         guint16    upstream_port)
{
  g_mutex_lock (&proxy->lock);
  proxy->upstream_port = upstream_port;
  g_mutex_unlock (&proxy->lock);
}

void
sync_proxy_cut (SyncProxy *proxy)
{
  g_mutex_lock (&proxy->lock);
  for (guint i = 0; i < proxy->open_clients->len; i++)
    shutdown (g_array_index (proxy->open_clients, int, i), SHUT_RDWR);
  g_mutex_unlock (&proxy->lock);
}

void
sync_proxy_set_fault (SyncProxy      *proxy,
                      SyncProxyFault  fault,
                      gsize           n,
                      guint           connections)
{
  g_mutex_lock (&proxy->lock);
  proxy->fault = fault;
  proxy->fault_n = n;
  proxy->fault_left = connections;
  g_mutex_unlock (&proxy->lock);
}

guint
sync_proxy_faults_done (SyncProxy *proxy)
{
  guint n;

  g_mutex_lock (&proxy->lock);
  n = proxy->faults_done;
  g_mutex_unlock (&proxy->lock);
  return n;
}

void
sync_proxy_set_throttle (SyncProxy *proxy,
                         gsize      bytes_per_second)
{
  g_mutex_lock (&proxy->lock);
  proxy->throttle = bytes_per_second;
  g_mutex_unlock (&proxy->lock);
}

gint64
sync_test_device_count (const char *db,
                        const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (db, &error);
  sqlite3_stmt *stmt;
  gint64 n = -1;

  g_assert_no_error (error);
  stmt = clmrs_store_prepare (store, sql, &error);
  g_assert_no_error (error);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

gboolean
sync_test_server_on_postgres (void)
{
  const char *uri = g_getenv ("CLMRS_SERVER_TEST_PG_URI");

  return uri != NULL && *uri != '\0';
}

void
sync_test_server_exec (const char *db,
                       const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) store = server_store_open (db, &error);

  g_assert_no_error (error);
  db_exec (store, sql, &error);
  g_assert_no_error (error);
}

char *
sync_test_server_query (const char *db,
                        const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ServerDb) store = server_store_open (db, &error);
  g_autoptr(ServerStmt) stmt = NULL;
  int rc;

  g_assert_no_error (error);
  stmt = db_prepare (store, sql, &error);
  g_assert_no_error (error);
  rc = db_step (stmt);
  g_assert_cmpint (rc, !=, DB_ERROR);
  if (rc != DB_ROW)
    return NULL;
  return g_strdup (db_column_text (stmt, 0) != NULL ? db_column_text (stmt, 0) : "");
}

/* ---- A device enrolled through a proxy ------------------------------------ */

void
sync_test_device_setup (SyncTestDevice          *device,
                        const char * const      *server_args,
                        const char              *template_db,
                        const ClmrsDemoOptions  *options,
                        const char              *device_name)
{
  g_autofree char *log = NULL;
  g_autofree char *code = NULL;
  g_autofree char *supervisor = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  ClmrsSyncConfig direct = { 0 };

  device->dir = sync_test_make_dir ();
  device->server_db = g_build_filename (device->dir, "server.db", NULL);
  device->device_db = g_build_filename (device->dir, "device.db", NULL);
  log = g_build_filename (device->dir, "server.log", NULL);
  if (template_db != NULL)
    {
      g_autofree char *contents = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (template_db, &contents, &length, &error));
      g_assert_true (g_file_set_contents (device->device_db, contents, length, &error));
      g_assert_no_error (error);
    }
  sync_test_server_start (&device->server, device->server_db, log, server_args);
  device->proxy = sync_proxy_new (device->server.port);
  code = sync_test_enrol_code (device->server_db, "all");

  store = clmrs_store_open (device->device_db, &error);
  g_assert_no_error (error);
  if (template_db == NULL)
    {
      ClmrsDemoReport report;

      g_assert_nonnull (options);
      g_assert_true (clmrs_demo_generate (store, options, &report, &error));
      g_assert_no_error (error);
    }
  stmt = clmrs_store_prepare (store, "SELECT id FROM facilitators WHERE role = 'supervisor'", &error);
  g_assert_no_error (error);
  g_assert_cmpint (clmrs_store_step (store, stmt, &error), ==, CLMRS_STEP_ROW);
  supervisor = clmrs_store_column_dup (stmt, 0);
  direct.server_url = device->server.url;
  g_assert_true (clmrs_sync_enrol (store, &direct, code, device_name, &error));
  g_assert_no_error (error);
  sync_test_promote (device->server_db, supervisor);

  device->config.server_url = sync_proxy_url (device->proxy);
  device->config.backoff_ms = 20;
  device->config.max_attempts = 6;
}

void
sync_test_device_teardown (SyncTestDevice *device)
{
  g_clear_pointer (&device->proxy, sync_proxy_free);
  sync_test_server_clear (&device->server);
  sync_test_remove_tree (device->dir);
  g_clear_pointer (&device->dir, g_free);
  g_clear_pointer (&device->server_db, g_free);
  g_clear_pointer (&device->device_db, g_free);
}

gboolean
sync_test_device_sync (SyncTestDevice          *device,
                       const ClmrsSyncConfig   *config,
                       ClmrsSyncReport         *report,
                       GError                 **error)
{
  g_autoptr(ClmrsStore) store = clmrs_store_open (device->device_db, NULL);

  g_assert_nonnull (store);
  return clmrs_sync_run (store, config, NULL, NULL, NULL, report, error);
}
