/* sync-harness.h: what the sync tests share: programs run to completion, a real clmrs-server on loopback, a fault-injecting TCP proxy. */
#pragma once

#include <gio/gio.h>

#include "client.h"
#include "demo.h"

G_BEGIN_DECLS

/* The environment the programs run in: CLMRS_TODAY fixed, no CLMRS_DB. */
char   **sync_test_environ          (void);

/* Runs @program (a path) with the NULL-terminated arguments; returns its
 * exit status (-1 if it did not exit), its stdout in @out when not NULL.
 * Its stderr goes to the test log. */
int      sync_test_run              (char       **out,
                                     const char  *program,
                                     ...) G_GNUC_NULL_TERMINATED;
/* The same, with its stderr in @err when not NULL. */
int      sync_test_run_full         (char       **out,
                                     char       **err,
                                     const char  *program,
                                     ...) G_GNUC_NULL_TERMINATED;
/* The same, asserting exit status 0; returns stdout. */
char    *sync_test_run_ok           (const char  *program,
                                     ...) G_GNUC_NULL_TERMINATED;
/* `clmrs --pin-fd 0 --db DB init ARGS...` with @pins (lines, one for each
 * person given, in order) on its stdin, asserting exit status 0. */
void     sync_test_init_ok          (const char  *db,
                                     const char  *pins,
                                     ...) G_GNUC_NULL_TERMINATED;

const char *sync_test_cli           (void);   /* $CLMRS_CLI */

/* Signs @person_id in on the encrypted device database @db: its key is
 * held by this process (clmrs_store_open() works on @db), and every later
 * `clmrs --db DB` run here signs in as them (--person, PIN on --pin-fd 0). */
void     sync_test_sign_in          (const char  *db,
                                     const char  *person_id,
                                     const char  *pin);
/* Only the later runs sign in (a plain database, whose first sign-in
 * encrypts it). */
void     sync_test_sign_in_plain    (const char  *db,
                                     const char  *person_id,
                                     const char  *pin);
/* What those runs read on --pin-fd from now on: @lines, each ending "\n". */
void     sync_test_set_pins         (const char  *db,
                                     const char  *lines);
/* The same as the keyring's first person (the first given to `clmrs init`). */
void     sync_test_sign_in_first    (const char  *db,
                                     const char  *pin);
/* The same as the demo's supervisor (PIN 999999), on a `clmrs demo` database. */
void     sync_test_sign_in_demo     (const char  *db);
const char *sync_test_server_program (void);  /* $CLMRS_SERVER */

/* A new temporary directory, and its removal with everything in it. */
char    *sync_test_make_dir         (void);
void     sync_test_remove_tree      (const char *path);

typedef struct {
  char        *db;
  char        *log;
  char        *url;       /* http://127.0.0.1:PORT */
  guint16      port;
  GSubprocess *process;
} SyncTestServer;

/* `clmrs-server serve --db DB --listen 127.0.0.1:0 EXTRA...`, stderr to
 * @log; returns once it printed where it listens (a free port). */
void     sync_test_server_start     (SyncTestServer      *server,
                                     const char          *db,
                                     const char          *log,
                                     const char * const  *extra_args);
/* SIGTERM (and asserts a clean exit), or SIGKILL when @kill. */
void     sync_test_server_stop      (SyncTestServer      *server,
                                     gboolean             kill);
void     sync_test_server_clear     (SyncTestServer      *server);

/* `clmrs-server enroll-code --db DB --communities COMMUNITIES`: the code. */
char    *sync_test_enrol_code      (const char          *db,
                                     const char          *communities);
/* `clmrs-server people add` (with --id when @id is not NULL): the person's id. */
char    *sync_test_add_person       (const char          *db,
                                     const char          *id,
                                     const char          *role,
                                     const char          *communities);
/* `clmrs-server people set-role --role supervisor`, asserting it worked. */
void     sync_test_promote          (const char          *db,
                                     const char          *person_id);
/* The server's database for the path @db: the SQLite file, or with
 * CLMRS_SERVER_TEST_PG_URI set the PostgreSQL database clmrs-server
 * uses for that path (server-store.c), so a test reads and changes what
 * the server holds on either store. */
gboolean sync_test_server_on_postgres (void);
void     sync_test_server_exec      (const char          *db,
                                     const char          *sql);
/* The first column of the first row (NULL for none, "" for NULL), or NULL without a row. */
char    *sync_test_server_query     (const char          *db,
                                     const char          *sql);
/* The first column of the first row of @sql on the device database @db
 * (a count), -1 when there is no row. */
gint64   sync_test_device_count     (const char          *db,
                                     const char          *sql);
/* One member of `clmrs-server stats --db DB --json`, a number. */
gint64   sync_test_server_stat      (const char          *db,
                                     const char          *member);

/* The lines of `clmrs-server export --ndjson` and of the device's
 * `clmrs export --ndjson`, sorted. */
GPtrArray *sync_test_server_export  (const char          *db);
GPtrArray *sync_test_device_export  (const char          *db);
/* For g_ptr_array_sort over strings. */
gint     sync_test_compare_strings  (gconstpointer        a,
                                     gconstpointer        b);
/* Asserts two sorted exports hold the same lines. */
void     sync_test_assert_same_lines (GPtrArray          *a,
                                      GPtrArray          *b);

/* A device with demo data enrolled with a real server, which the tests
 * reach through a fault-injecting proxy. */
typedef struct _SyncProxy SyncProxy;

typedef struct {
  char            *dir;
  char            *server_db;
  char            *device_db;
  SyncTestServer   server;
  SyncProxy       *proxy;
  ClmrsSyncConfig  config;    /* through the proxy: 20 ms backoff, 6 attempts */
} SyncTestDevice;

/* Starts `clmrs-server serve` with @server_args and the proxy before
 * it; the device's database is a copy of @template_db when not NULL,
 * else made with clmrs_demo_generate() and @options; it is enrolled (as
 * @device_name, directly, not through the proxy) and the demo's
 * supervisor promoted, so her reviews are accepted. */
void     sync_test_device_setup     (SyncTestDevice          *device,
                                     const char * const      *server_args,
                                     const char              *template_db,
                                     const ClmrsDemoOptions  *options,
                                     const char              *device_name);
void     sync_test_device_teardown  (SyncTestDevice          *device);
/* One clmrs_sync_run() of the device with @config, on a connection of
 * its own; returns what it did. */
gboolean sync_test_device_sync      (SyncTestDevice          *device,
                                     const ClmrsSyncConfig   *config,
                                     ClmrsSyncReport         *report,
                                     GError                 **error);

/* A TCP proxy on 127.0.0.1 between the client and the server, on its own
 * threads, that can break the link in the ways village links break. */
typedef enum {
  SYNC_PROXY_PASS,
  SYNC_PROXY_DROP_UP,     /* forward @n bytes client->server, then close both sides */
  SYNC_PROXY_DROP_DOWN,   /* forward the request whole, @n bytes of the answer, then close */
  SYNC_PROXY_STATUS,      /* read one whole request, answer HTTP @n itself (429/503 with Retry-After: 1), close */
  SYNC_PROXY_BLACKHOLE,   /* accept and read, never answer */
} SyncProxyFault;

SyncProxy *sync_proxy_new           (guint16         upstream_port);
void     sync_proxy_free            (SyncProxy      *proxy);
/* http://127.0.0.1:PORT of the proxy. */
const char *sync_proxy_url          (SyncProxy      *proxy);
/* Where new connections go (a restarted server listens elsewhere). */
void     sync_proxy_set_upstream    (SyncProxy      *proxy,
                                     guint16         upstream_port);
/* The next @connections connections get @fault; later ones pass. */
void     sync_proxy_set_fault       (SyncProxy      *proxy,
                                     SyncProxyFault  fault,
                                     gsize           n,
                                     guint           connections);
/* Breaks every connection open now (a keep-alive connection the client
 * would use again dies under it). */
void     sync_proxy_cut             (SyncProxy      *proxy);
/* How many connections got a fault so far. */
guint    sync_proxy_faults_done     (SyncProxy      *proxy);
/* A slow link: at most @bytes_per_second each way per connection; 0 = off. */
void     sync_proxy_set_throttle    (SyncProxy      *proxy,
                                     gsize           bytes_per_second);

G_END_DECLS
