/* clmrs-db-worker.c: the one thread that owns the app's database connection. */
#define G_LOG_DOMAIN "clmrs-db-worker"

#include "clmrs-db-worker.h"
#include "clmrs-db-worker-private.h"

#include <glib/gstdio.h>
#include <glib/gi18n.h>

#include "audit.h"
#include "casebook.h"
#include "client.h"
#include "cryptvfs.h"
#include "demo.h"
#include "device.h"
#include "outbox.h"
#include "people.h"
#include "review.h"
#include "util.h"
#include "xform.h"

#include <string.h>

/*
 * Chatty's rule: the connection is never used from the main thread.  Jobs
 * are GTasks on a queue that one thread pops in order; each job's result
 * goes back to the caller's main context through the GTask.  The thread's
 * state (queue, store) is its own, not the GObject's, so the object can go
 * away while the thread finishes what it was given: clmrs_db_worker_close()
 * is the call that waits for it, from the main thread, never finalize.
 */

/*
 * The database is one of:
 * - encrypted with a keyring beside it: closed until someone signs in
 *   (clmrs_device_sign_in() on this thread), closed again and its key
 *   wiped at sign-out or lock;
 * - encrypted without a keyring yet: a device being set up (made on its
 *   first run, then enrolled), open with the key in memory until the
 *   first person chooses a PIN, which writes the keyring;
 * - plain: made before encryption; the first sign-in encrypts it
 *   (clmrs_device_migrate()).  Tests keep plain databases plain
 *   (CLMRS_TEST_PLAIN_DEVICE=1).
 */
struct _ClmrsDbWorkerState {
  GAsyncQueue  *queue;      /* of GTask, or &quit_marker */
  ClmrsStore   *store;      /* only touched on the thread */
  ClmrsSyncConnection *sync;  /* the sync's connection, opened like @store when first asked for */
  ClmrsDataKey *key;        /* the data key, while signed in or being set up */
  char         *path;
};
typedef ClmrsDbWorkerState WorkerState;

#define TEST_PLAIN_DEVICE_ENV "CLMRS_TEST_PLAIN_DEVICE"

struct _ClmrsDbWorker
{
  GObject      parent_instance;

  /* Owned references */
  GAsyncQueue *queue;
  GThread     *thread;
  char        *path;
  ClmrsCaseConfig case_config;  /* copied into each job that needs it */
  gboolean     will_encrypt;    /* plain: the next sign-in encrypts it */
};

G_DEFINE_FINAL_TYPE (ClmrsDbWorker, clmrs_db_worker, G_TYPE_OBJECT)

static char quit_marker;

typedef ClmrsDbStateJobFunc StateJobFunc;

typedef struct {
  ClmrsDbJobFunc  func;       /* a job on the open store */
  StateJobFunc    state_func; /* or one that opens it */
  gpointer        data;
  GDestroyNotify  data_free;
  GDestroyNotify  result_free;
} Job;

static void
job_free (Job *job)
{
  if (job->data_free != NULL && job->data != NULL)
    job->data_free (job->data);
  g_free (job);
}

/* Closes the store, and lets the sync's connection go (a sync running
 * on it keeps it until it ends). */
static void
close_store (WorkerState *state)
{
  g_clear_pointer (&state->sync, clmrs_sync_connection_unref);
  g_clear_pointer (&state->store, clmrs_store_close);
}

/* Closes the store and wipes the key: nobody is signed in. */
static void
lock_device (WorkerState *state)
{
  close_store (state);
  g_clear_pointer (&state->key, clmrs_data_key_free);
  clmrs_device_sign_out (state->path);
}

static void
worker_state_free (WorkerState *state)
{
  lock_device (state);
  g_async_queue_unref (state->queue);
  g_free (state->path);
  g_free (state);
}

static gpointer
worker_thread (gpointer user_data)
{
  WorkerState *state = user_data;

  for (;;)
    {
      gpointer item = g_async_queue_pop (state->queue);
      g_autoptr(GTask) task = NULL;
      g_autoptr(GError) error = NULL;
      GCancellable *cancellable;
      gpointer result;
      Job *job;

      if (item == &quit_marker)
        break;
      task = item;
      job = g_task_get_task_data (task);
      cancellable = g_task_get_cancellable (task);
      if (g_task_return_error_if_cancelled (task))
        continue;

      if (job->state_func != NULL)
        result = job->state_func (state, job->data, cancellable, &error);
      else if (state->store == NULL && clmrs_device_has_keyring (state->path))
        {
          result = NULL;
          g_set_error (&error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_LOCKED,
                       "nobody is signed in: the database %s is locked", state->path);
        }
      else if (state->store == NULL)
        {
          result = NULL;
          g_set_error (&error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                       "the database %s is not open", state->path);
        }
      else
        result = job->func (state->store, job->data, cancellable, &error);

      if (error != NULL)
        {
          if (result != NULL && job->result_free != NULL)
            job->result_free (result);
          g_task_return_error (task, g_steal_pointer (&error));
        }
      else
        g_task_return_pointer (task, result, job->result_free);
    }

  worker_state_free (state);
  return NULL;
}

static void
clmrs_db_worker_finalize (GObject *object)
{
  ClmrsDbWorker *self = (ClmrsDbWorker *) object;

  /* Not closed: let the thread finish its queue and exit on its own
   * (waiting here could deadlock, STYLE trap 4). */
  if (self->thread != NULL)
    {
      g_async_queue_push (self->queue, &quit_marker);
      g_thread_unref (self->thread);
    }
  g_async_queue_unref (self->queue);
  g_free (self->path);

  G_OBJECT_CLASS (clmrs_db_worker_parent_class)->finalize (object);
}

static void
clmrs_db_worker_class_init (ClmrsDbWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = clmrs_db_worker_finalize;
}

static void
clmrs_db_worker_init (ClmrsDbWorker *self)
{
  self->queue = g_async_queue_new ();
  clmrs_case_config_init (&self->case_config);
}

/* Starts the worker thread for the database at @path (opened by
 * clmrs_db_worker_open_async()). */
ClmrsDbWorker *
clmrs_db_worker_new (const char *path)
{
  ClmrsDbWorker *self;
  WorkerState *state;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (CLMRS_TYPE_DB_WORKER, NULL);
  self->path = g_strdup (path);
  state = g_new0 (WorkerState, 1);
  state->queue = g_async_queue_ref (self->queue);
  state->path = g_strdup (path);
  self->thread = g_thread_new ("clmrs-db", worker_thread, state);
  return self;
}

const char *
clmrs_db_worker_get_path (ClmrsDbWorker *self)
{
  g_return_val_if_fail (CLMRS_IS_DB_WORKER (self), NULL);

  return self->path;
}

/* Runs the jobs already queued, closes the store and joins the thread.
 * Call it from the main thread; later jobs fail with "not open". */
void
clmrs_db_worker_close (ClmrsDbWorker *self)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (self));

  if (self->thread == NULL)
    return;
  g_async_queue_push (self->queue, &quit_marker);
  g_thread_join (g_steal_pointer (&self->thread));
}

void
_clmrs_db_worker_push_job (ClmrsDbWorker       *self,
                           gpointer             source_tag,
                           ClmrsDbJobFunc       func,
                           StateJobFunc         state_func,
                           gpointer             data,
                           GDestroyNotify       data_free,
                           GDestroyNotify       result_free,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->func = func;
  job->state_func = state_func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);

  if (self->thread == NULL)
    {
      g_task_return_new_error (task, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                               "the database %s is closed", self->path);
      return;
    }
  g_async_queue_push (self->queue, g_steal_pointer (&task));
}

gpointer
_clmrs_db_worker_finish_pointer (ClmrsDbWorker  *self,
                                 GAsyncResult   *result,
                                 gpointer        source_tag,
                                 GError        **error)
{
  g_return_val_if_fail (CLMRS_IS_DB_WORKER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- generic jobs --- */

/* Queues @func; its result comes back through clmrs_db_worker_run_finish(). */
void
clmrs_db_worker_run_async (ClmrsDbWorker       *self,
                           ClmrsDbJobFunc       func,
                           gpointer             data,
                           GDestroyNotify       data_free,
                           GDestroyNotify       result_free,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (func != NULL);

  _clmrs_db_worker_push_job (self, clmrs_db_worker_run_async, func, NULL, data, data_free, result_free,
                             cancellable, callback, user_data);
}

gpointer
clmrs_db_worker_run_finish (ClmrsDbWorker  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  return _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_run_async, error);
}

/* --- the sync's connection --- */

/* The second connection (docs/architecture.md, "Threads"): opened as the
 * worker's own was, with the key it holds on an encrypted device. */
static gpointer
sync_connection_job (WorkerState   *state,
                     gpointer       data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  ClmrsStore *store;

  if (state->store == NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_LOCKED,
                   "the database %s is not open: sign in first", state->path);
      return NULL;
    }
  if (state->sync == NULL)
    {
      store = state->key != NULL ? clmrs_store_open_encrypted (state->path, state->key, error)
                                 : clmrs_store_open (state->path, error);
      if (store == NULL)
        return NULL;
      state->sync = clmrs_sync_connection_new (store);
    }
  return clmrs_sync_connection_ref (state->sync);
}

/* The sync's connection to this database, kept until sign-out. */
void
clmrs_db_worker_sync_connection_async (ClmrsDbWorker       *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (self));

  _clmrs_db_worker_push_job (self, clmrs_db_worker_sync_connection_async, NULL, sync_connection_job, NULL, NULL,
                             (GDestroyNotify) clmrs_sync_connection_unref, cancellable, callback, user_data);
}

ClmrsSyncConnection *
clmrs_db_worker_sync_connection_finish (ClmrsDbWorker  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  return _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_sync_connection_async, error);
}

/* --- open --- */

typedef struct {
  guint               households;
  ClmrsDbProgressFunc progress;
  gpointer            progress_data;
  GMainContext       *context;
} OpenData;

typedef struct {
  ClmrsDbProgressFunc progress;
  gpointer            progress_data;
  guint               done;
  guint               total;
} ProgressCall;

static void
open_data_free (OpenData *data)
{
  g_clear_pointer (&data->context, g_main_context_unref);
  g_free (data);
}

static gboolean
progress_call_cb (gpointer user_data)
{
  ProgressCall *call = user_data;

  call->progress (call->done, call->total, call->progress_data);
  return G_SOURCE_REMOVE;
}

static void
demo_progress (guint    done,
               guint    total,
               gpointer user_data)
{
  OpenData *data = user_data;
  ProgressCall *call;

  if (data->progress == NULL)
    return;
  call = g_new (ProgressCall, 1);
  call->progress = data->progress;
  call->progress_data = data->progress_data;
  call->done = done;
  call->total = total;
  g_main_context_invoke_full (data->context, G_PRIORITY_DEFAULT, progress_call_cb, call, g_free);
}

/* The folder a new database goes in ($XDG_DATA_HOME/clmrs on a device's
 * first run). */
static gboolean
make_folder_for (const char  *path,
                 GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot make the folder %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Renames the database and its keyring from @from to @to. */
static gboolean
rename_device (const char  *from,
               const char  *to,
               GError     **error)
{
  g_autofree char *from_keyring = clmrs_device_keyring_path (from);
  g_autofree char *to_keyring = clmrs_device_keyring_path (to);

  if (g_rename (from_keyring, to_keyring) != 0 || g_rename (from, to) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot rename %s to %s: %s", from, to, g_strerror (saved));
      g_remove (to_keyring);
      return FALSE;
    }
  return TRUE;
}

/* The demo database, encrypted, with a keyring where every demo person
 * signs in with their published PIN; made under a temporary name.  Its
 * key in @out_key: the new database stays open for its enrolment, until
 * the first sign-in. */
static gboolean
make_demo_database (const char    *path,
                    OpenData      *data,
                    ClmrsDataKey **out_key,
                    GError       **error)
{
  g_autofree char *making = g_strconcat (path, ".making", NULL);
  g_autoptr(ClmrsDataKey) key = NULL;
  ClmrsDemoOptions options = { 0 };
  ClmrsDemoReport report;
  ClmrsStore *store;
  gboolean ok;

  if (!make_folder_for (path, error))
    return FALSE;
  clmrs_device_remove_files (making);
  store = clmrs_device_create (making, &key, error);
  if (store == NULL)
    return FALSE;
  options.households = data->households;
  options.seed = 1;
  options.progress = demo_progress;
  options.progress_data = data;
  ok = clmrs_demo_generate (store, &options, &report, error) &&
       clmrs_device_write_demo_keyring (store, making, key, error);
  clmrs_store_close (store);
  clmrs_device_sign_out (making);
  if (!ok || !rename_device (making, path, error))
    {
      g_prefix_error (error, "making the demo database %s: ", path);
      clmrs_device_remove_files (making);
      return FALSE;
    }
  *out_key = g_steal_pointer (&key);
  return TRUE;
}

static gboolean
refresh_cases (ClmrsStore             *store,
               const ClmrsCaseConfig  *config,
               GError                **error)
{
  GDate today;

  clmrs_date_today (&today);
  return clmrs_casebook_refresh_all (store, &today, config, NULL, error);
}

/* What open_job returns, flags: a job's NULL is its failure. */
typedef enum {
  OPENED = 1,
  OPENED_DEMO = 1 << 1 | OPENED,
  OPENED_WILL_ENCRYPT = 1 << 2,   /* plain: the next sign-in encrypts it */
} OpenResult;

static gboolean
test_plain (void)
{
  return g_strcmp0 (g_getenv (TEST_PLAIN_DEVICE_ENV), "1") == 0;
}

/* A plain database a real device made before encryption: its next
 * sign-in encrypts it. */
static gboolean
will_encrypt (WorkerState *state)
{
  return state->store != NULL && !test_plain () && !clmrs_cryptvfs_is_encrypted (state->path) &&
         g_strcmp0 (state->path, ":memory:") != 0;
}

static gpointer
open_job (WorkerState   *state,
          gpointer       user_data,
          GCancellable  *cancellable,
          GError       **error)
{
  OpenData *data = user_data;
  gboolean exists;

  if (state->store != NULL)
    return GINT_TO_POINTER (clmrs_demo_store_is_demo (state->store) ? OPENED_DEMO : OPENED);
  exists = g_file_test (state->path, G_FILE_TEST_EXISTS);
  if (!exists && data->households > 0)
    {
      if (!make_demo_database (state->path, data, &state->key, error))
        return NULL;
      state->store = clmrs_store_open_encrypted (state->path, state->key, error);
      if (state->store == NULL)
        {
          g_clear_pointer (&state->key, clmrs_data_key_free);
          return NULL;
        }
      clmrs_store_hold_key (state->path, state->key);
      return GINT_TO_POINTER (OPENED_DEMO);
    }
  /* locked until someone signs in */
  if (exists && clmrs_device_has_keyring (state->path))
    return GINT_TO_POINTER (data->households > 0 || clmrs_device_is_demo (state->path) ? OPENED_DEMO : OPENED);

  if (exists && clmrs_cryptvfs_is_encrypted (state->path) && state->key == NULL)
    {
      /* made on a first run, but closed before anyone chose a PIN: its
       * key is gone with the process, and it held at most an enrolment */
      g_message ("Setting up %s again: it was left before anyone could sign in", state->path);
      clmrs_device_remove_files (state->path);
      exists = FALSE;
    }
  if (!exists)
    {
      /* a real device's first run: encrypted from the start */
      if (!make_folder_for (state->path, error))
        return NULL;
      state->store = clmrs_device_create (state->path, &state->key, error);
    }
  else
    state->store = clmrs_store_open (state->path, error);
  if (state->store == NULL)
    return NULL;
  /* demo data asked for on a database there already: only an empty one
   * takes it; clmrs_demo_generate() refuses the others, saying why */
  if (data->households > 0 && !clmrs_demo_store_is_demo (state->store))
    {
      ClmrsDemoOptions options = { .households = data->households, .seed = 1,
                                   .progress = demo_progress, .progress_data = data };
      ClmrsDemoReport report;

      if (!clmrs_demo_generate (state->store, &options, &report, error))
        {
          close_store (state);
          return NULL;
        }
    }
  return GINT_TO_POINTER ((clmrs_demo_store_is_demo (state->store) ? OPENED_DEMO : OPENED) |
                          (will_encrypt (state) ? OPENED_WILL_ENCRYPT : 0));
}

void
clmrs_db_worker_open_async (ClmrsDbWorker       *self,
                            guint                demo_households,
                            ClmrsDbProgressFunc  progress,
                            gpointer             progress_data,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  OpenData *data;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));

  data = g_new0 (OpenData, 1);
  data->households = demo_households;
  data->progress = progress;
  data->progress_data = progress_data;
  data->context = g_main_context_ref_thread_default ();
  _clmrs_db_worker_push_job (self, clmrs_db_worker_open_async, NULL, open_job, data,
                             (GDestroyNotify) open_data_free, NULL, cancellable, callback, user_data);
}

gboolean
clmrs_db_worker_open_finish (ClmrsDbWorker  *self,
                             GAsyncResult   *result,
                             gboolean       *demo,
                             GError        **error)
{
  OpenResult opened = GPOINTER_TO_INT (_clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_open_async, error));

  if (demo != NULL)
    *demo = (opened & OPENED_DEMO) == OPENED_DEMO;
  self->will_encrypt = (opened & OPENED_WILL_ENCRYPT) != 0;
  return opened != 0;
}

/* --- people and PINs --- */

static gpointer
list_people_job (WorkerState   *state,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  if (clmrs_device_has_keyring (state->path))
    return clmrs_people_list_keyring (state->path, error);
  if (state->store == NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE, "the database %s is not open", state->path);
      return NULL;
    }
  return clmrs_people_list (state->store, error);
}

void
clmrs_db_worker_list_people_async (ClmrsDbWorker       *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (self));

  _clmrs_db_worker_push_job (self, clmrs_db_worker_list_people_async, NULL, list_people_job, NULL, NULL,
                             (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
clmrs_db_worker_list_people_finish (ClmrsDbWorker  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_list_people_async, error);
}

/* An id and a PIN, the PIN wiped. */
static void
wipe_strv (GStrv strv)
{
  for (guint i = 0; strv[i] != NULL; i++)
    memset (strv[i], 0, strlen (strv[i]));
  g_strfreev (strv);
}

/* The keyring's refusal said for the person who typed the PIN. */
static void
explain_keyring_error (WorkerState  *state,
                       const char   *person_id,
                       GError      **error)
{
  g_autoptr(GPtrArray) people = NULL;
  const ClmrsKeyringPerson *entry = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  char *text = NULL;

  if (error == NULL || *error == NULL || (*error)->domain != CLMRS_KEYRING_ERROR)
    return;
  people = clmrs_device_list_people (state->path, NULL);
  for (guint i = 0; people != NULL && i < people->len; i++)
    if (g_str_equal (((ClmrsKeyringPerson *) g_ptr_array_index (people, i))->person_id, person_id))
      entry = g_ptr_array_index (people, i);

  switch ((*error)->code)
    {
    case CLMRS_KEYRING_ERROR_WRONG_PIN:
      if (entry != NULL && entry->failures >= CLMRS_KEYRING_FREE_FAILURES)
        text = g_strdup_printf (ngettext ("Wrong PIN. After %u more wrong PIN your key on this device is erased.",
                                             "Wrong PIN. After %u more wrong PINs your key on this device is erased.",
                                             CLMRS_KEYRING_MAX_FAILURES - entry->failures),
                                CLMRS_KEYRING_MAX_FAILURES - entry->failures);
      else
        text = g_strdup (_("Wrong PIN. Try again."));
      break;
    case CLMRS_KEYRING_ERROR_LOCKED:
      /* Translators: %d is a number of seconds */
      text = g_strdup_printf (_("Too many wrong PINs: wait %d s before the next try."),
                              entry != NULL ? (int) MAX (1, entry->locked_until - now) : 1);
      break;
    case CLMRS_KEYRING_ERROR_ERASED:
      text = g_strdup (_("Your key on this device was erased after 10 wrong PINs. Ask a colleague to add you to this device again, or support to recover it."));
      break;
    default:
      return;
    }
  g_free ((*error)->message);
  (*error)->message = text;
}

/* Names @person_id as the actor and notes the sign-in; returns them. */
static ClmrsPerson *
note_sign_in (WorkerState  *state,
              const char   *person_id,
              GError      **error)
{
  g_autoptr(GError) audit_error = NULL;

  clmrs_store_set_actor (state->store, person_id);
  if (!clmrs_audit_record (state->store, person_id, CLMRS_AUDIT_SIGN_IN, NULL, NULL, NULL, &audit_error))
    g_message ("Could not add to the audit trail: %s", audit_error->message);
  return clmrs_people_lookup (state->store, person_id, error);
}

/* Encrypts the plain database: closed, migrated, open again (encrypted,
 * the key held); on failure open again as it was. */
static gboolean
migrate (WorkerState  *state,
         const char   *person_id,
         const char   *old_pin,
         const char   *new_pin,
         GError      **error)
{
  close_store (state);
  state->store = clmrs_device_migrate (state->path, person_id, old_pin, new_pin, &state->key, error);
  if (state->store != NULL)
    return TRUE;
  state->store = clmrs_store_open (state->path, NULL);
  return FALSE;
}

/* A device being set up (encrypted, no keyring yet): @person_id, who
 * has just signed in with @pin, writes its keyring. */
static gboolean
write_first_keyring (WorkerState  *state,
                     const char   *person_id,
                     const char   *pin,
                     GError      **error)
{
  g_autoptr(ClmrsPerson) person = clmrs_people_lookup (state->store, person_id, error);
  guint8 recovery[CLMRS_KEYRING_RECOVERY_KEY_BYTES];
  ClmrsDevicePerson entry;

  if (person == NULL || !clmrs_device_recovery_key_for (state->store, recovery, error))
    return FALSE;
  entry = (ClmrsDevicePerson) { person->id, person->name, pin };
  return clmrs_device_write_keyring (state->path, state->key, recovery, &entry, 1, error);
}

static gpointer
check_pin_job (WorkerState   *state,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  GStrv id_pin = data;
  const char *person_id = id_pin[0], *pin = id_pin[1];

  if (clmrs_device_has_keyring (state->path))
    {
      lock_device (state);
      state->store = clmrs_device_sign_in (state->path, person_id, pin, &state->key, error);
      if (state->store == NULL)
        {
          explain_keyring_error (state, person_id, error);
          return NULL;
        }
      return note_sign_in (state, person_id, error);
    }
  if (state->store == NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE, "the database %s is not open", state->path);
      return NULL;
    }
  if (!clmrs_audit_sign_in (state->store, person_id, pin, error))
    return NULL;
  if (will_encrypt (state))
    {
      if (strlen (pin) < CLMRS_KEYRING_MIN_PIN_DIGITS)
        {
          clmrs_store_set_actor (state->store, NULL);
          g_set_error (error, CLMRS_DEVICE_ERROR, CLMRS_DEVICE_ERROR_NEW_PIN,
                       _("PINs have at least %d digits now: choose a new one"), CLMRS_KEYRING_MIN_PIN_DIGITS);
          return NULL;
        }
      if (!migrate (state, person_id, pin, NULL, error))
        return NULL;
      return note_sign_in (state, person_id, error);
    }
  /* set up here and signed in with a PIN chosen before: the keyring now */
  if (state->key != NULL && !write_first_keyring (state, person_id, pin, error))
    {
      clmrs_store_set_actor (state->store, NULL);
      return NULL;
    }
  return clmrs_people_lookup (state->store, person_id, error);
}

static gpointer
sign_out_job (WorkerState   *state,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) local = NULL;

  if (state->store != NULL && !clmrs_audit_sign_out (state->store, GPOINTER_TO_INT (data), &local))
    g_message ("Could not add to the audit trail: %s", local->message);
  /* the key goes with the person: nothing is readable until the next sign-in */
  if (clmrs_device_has_keyring (state->path))
    lock_device (state);
  return GINT_TO_POINTER (TRUE);
}

/* The person signed out (@locked: by the inactivity lock): noted in the
 * audit trail, and nobody is named for what the connection does next. */
void
clmrs_db_worker_sign_out (ClmrsDbWorker *self,
                          gboolean       locked)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (self));

  _clmrs_db_worker_push_job (self, clmrs_db_worker_sign_out, NULL, sign_out_job,
                             GINT_TO_POINTER (locked), NULL, NULL, NULL, NULL, NULL);
}

gboolean
clmrs_db_worker_get_will_encrypt (ClmrsDbWorker *self)
{
  g_return_val_if_fail (CLMRS_IS_DB_WORKER (self), FALSE);

  return self->will_encrypt;
}

void
clmrs_db_worker_check_pin_async (ClmrsDbWorker       *self,
                                 const char          *person_id,
                                 const char          *pin,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GStrv id_pin;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (person_id != NULL);
  g_return_if_fail (pin != NULL);

  id_pin = g_new0 (char *, 3);
  id_pin[0] = g_strdup (person_id);
  id_pin[1] = g_strdup (pin);
  _clmrs_db_worker_push_job (self, clmrs_db_worker_check_pin_async, NULL, check_pin_job, id_pin,
                             (GDestroyNotify) wipe_strv, (GDestroyNotify) clmrs_person_free, cancellable, callback, user_data);
}

ClmrsPerson *
clmrs_db_worker_check_pin_finish (ClmrsDbWorker  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  ClmrsPerson *person = _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_check_pin_async, error);

  /* signed in: a plain database is encrypted by now */
  if (person != NULL)
    self->will_encrypt = FALSE;
  return person;
}

/* The PINs of a first sign-in, wiped when the job is done. */
typedef struct {
  char *person_id;
  char *one_time_pin;
  char *new_pin;
} OwnPin;

static void
own_pin_free (gpointer data)
{
  OwnPin *own = data;

  if (own->one_time_pin != NULL)
    memset (own->one_time_pin, 0, strlen (own->one_time_pin));
  memset (own->new_pin, 0, strlen (own->new_pin));
  g_free (own->person_id);
  g_free (own->one_time_pin);
  g_free (own->new_pin);
  g_free (own);
}

/* The first sign-in of someone the server gave a one-time PIN, with
 * nobody signed in to add them: the new PIN is checked first (the server
 * spends the one-time PIN), then the server's answer opens the key and
 * the new PIN wraps it.  NULL (no error) when @own->person_id is not
 * listed for it. */
static ClmrsPerson *
first_sign_in_online (WorkerState  *state,
                      OwnPin       *own,
                      GError      **error)
{
  g_autofree char *url = NULL, *device_id = NULL, *ca_pem = NULL;
  guint8 secret[CLMRS_KEYRING_KEY_BYTES];
  gboolean answered;

  if (!clmrs_device_arrival_server (state->path, own->person_id, &url, &device_id, &ca_pem, NULL))
    return NULL;
  if (own->one_time_pin == NULL || !clmrs_keyring_check_new_pin (own->new_pin, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_WRONG_PIN, "no one-time PIN typed");
      return NULL;
    }
  answered = clmrs_sync_first_sign_in (url, ca_pem, device_id, own->person_id, own->one_time_pin, secret, error);
  if (!answered)
    return NULL;
  lock_device (state);
  state->store = clmrs_device_first_sign_in (state->path, own->person_id, own->one_time_pin, own->new_pin,
                                             secret, &state->key, error);
  memset (secret, 0, sizeof secret);
  if (state->store == NULL)
    return NULL;
  return note_sign_in (state, own->person_id, error);
}

static gpointer
set_own_pin_job (WorkerState   *state,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  OwnPin *own = data;
  ClmrsPinState pin_state;

  if (clmrs_device_has_keyring (state->path))
    {
      g_autoptr(GError) local = NULL;
      ClmrsPerson *person = first_sign_in_online (state, own, &local);

      if (local != NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      if (person != NULL || (error != NULL && *error != NULL))
        return person;
    }
  if (state->store == NULL || clmrs_device_has_keyring (state->path))
    {
      /* on an encrypted device a newcomer is added by someone signed in */
      g_set_error_literal (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                           _("Ask a colleague who can sign in to add you to this device."));
      return NULL;
    }
  if (!clmrs_store_get_pin_state (state->store, own->person_id, &pin_state, error))
    return NULL;
  if (will_encrypt (state))
    {
      /* a plain database: the PIN chosen now encrypts it, after the old
       * PIN (or the one-time PIN) is checked */
      if (pin_state == CLMRS_PIN_STATE_SET)
        return migrate (state, own->person_id, own->one_time_pin ? own->one_time_pin : "", own->new_pin, error)
               ? note_sign_in (state, own->person_id, error) : NULL;
      if (!clmrs_store_set_own_pin (state->store, own->person_id, own->one_time_pin, own->new_pin, error) ||
          !migrate (state, own->person_id, own->new_pin, NULL, error))
        return NULL;
      return note_sign_in (state, own->person_id, error);
    }
  /* then signed in with it, through the audit trail like any sign-in */
  if ((state->key != NULL && !clmrs_keyring_check_new_pin (own->new_pin, error)) ||
      !clmrs_store_set_own_pin (state->store, own->person_id, own->one_time_pin, own->new_pin, error) ||
      !clmrs_audit_sign_in (state->store, own->person_id, own->new_pin, error))
    return NULL;
  /* a device being set up: its first person's PIN makes the keyring */
  if (state->key != NULL && !write_first_keyring (state, own->person_id, own->new_pin, error))
    return NULL;
  return clmrs_people_lookup (state->store, own->person_id, error);
}

void
clmrs_db_worker_set_own_pin_async (ClmrsDbWorker       *self,
                                   const char          *person_id,
                                   const char          *one_time_pin,
                                   const char          *new_pin,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  OwnPin *own;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (person_id != NULL);
  g_return_if_fail (new_pin != NULL);

  own = g_new0 (OwnPin, 1);
  own->person_id = g_strdup (person_id);
  own->one_time_pin = g_strdup (one_time_pin);
  own->new_pin = g_strdup (new_pin);
  _clmrs_db_worker_push_job (self, clmrs_db_worker_set_own_pin_async, NULL, set_own_pin_job, own, own_pin_free,
                             (GDestroyNotify) clmrs_person_free,
                             cancellable, callback, user_data);
}

ClmrsPerson *
clmrs_db_worker_set_own_pin_finish (ClmrsDbWorker  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  ClmrsPerson *person = _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_set_own_pin_async, error);

  if (person != NULL)
    self->will_encrypt = FALSE;
  return person;
}

/* --- the case rules' configuration --- */

void
clmrs_db_worker_set_case_config (ClmrsDbWorker         *self,
                                 const ClmrsCaseConfig *config)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (config != NULL && config->follow_up_months >= 1);

  self->case_config = *config;
}

void
clmrs_db_worker_get_case_config (ClmrsDbWorker   *self,
                                 ClmrsCaseConfig *config)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (config != NULL);

  *config = self->case_config;
}

static gpointer
refresh_cases_job (ClmrsStore    *store,
                   gpointer       user_data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  return refresh_cases (store, user_data, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

void
clmrs_db_worker_refresh_cases_async (ClmrsDbWorker       *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (self));

  _clmrs_db_worker_push_job (self, clmrs_db_worker_refresh_cases_async, refresh_cases_job, NULL,
                             g_memdup2 (&self->case_config, sizeof self->case_config), g_free, NULL,
                             cancellable, callback, user_data);
}

gboolean
clmrs_db_worker_refresh_cases_finish (ClmrsDbWorker  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  return _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_refresh_cases_async, error) != NULL;
}

/* The daily refresh (case statuses move with the calendar: due, overdue,
 * aged out), when the cases are not current for today and the
 * configuration set now; after the sign-in, not in it: it reads every
 * child, seconds on a large device. */
static gpointer
refresh_cases_if_stale_job (ClmrsStore    *store,
                            gpointer       user_data,
                            GCancellable  *cancellable,
                            GError       **error)
{
  gboolean refreshed = FALSE;
  GDate today;

  clmrs_date_today (&today);
  if (!clmrs_casebook_refresh_if_stale (store, &today, user_data, &refreshed, error))
    return NULL;
  return GINT_TO_POINTER (refreshed ? 2 : 1);
}

void
clmrs_db_worker_refresh_cases_if_stale_async (ClmrsDbWorker       *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (self));

  _clmrs_db_worker_push_job (self, clmrs_db_worker_refresh_cases_if_stale_async, refresh_cases_if_stale_job, NULL,
                             g_memdup2 (&self->case_config, sizeof self->case_config), g_free, NULL,
                             cancellable, callback, user_data);
}

gboolean
clmrs_db_worker_refresh_cases_if_stale_finish (ClmrsDbWorker  *self,
                                               GAsyncResult   *result,
                                               gboolean       *refreshed,
                                               GError        **error)
{
  gpointer done = _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_refresh_cases_if_stale_async, error);

  if (refreshed != NULL)
    *refreshed = GPOINTER_TO_INT (done) == 2;
  return done != NULL;
}
