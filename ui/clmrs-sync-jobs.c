/* clmrs-sync-jobs.c: the sync client's network calls off the main thread, and their errors in words. */
#define G_LOG_DOMAIN "clmrs-sync-jobs"

#include "config.h"

#include "clmrs-sync-jobs.h"

#include <glib/gi18n.h>

/*
 * Every network job runs on the sync's connection (docs/architecture.md,
 * "Threads"), which the database worker opens and keeps: first a worker
 * job hands it over, then the job runs on a GTask thread, so neither the
 * main loop nor the worker's queue waits for the network.
 */
typedef struct _JobData JobData;
struct _JobData {
  ClmrsSyncConnection   *connection;
  char                  *server_url;
  char                  *code;
  char                  *cacert;
  ClmrsSyncConfig        config;        /* a sync's, its strings ours */
  ClmrsSyncProgressFunc  progress;
  gpointer               progress_data;
  ClmrsSyncReport        report;
  void                 (*start) (GTask *task);  /* once the connection is here */
};

static void
job_data_free (JobData *data)
{
  g_clear_pointer (&data->connection, clmrs_sync_connection_unref);
  g_free (data->server_url);
  g_free (data->code);
  g_free (data->cacert);
  g_free (data);
}

static void
connection_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  JobData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->connection = clmrs_db_worker_sync_connection_finish (CLMRS_DB_WORKER (source), result, &error);
  if (data->connection != NULL)
    data->start (task);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_new_error (task, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_STORE, "%s", error->message);
}

/* Asks @worker for the connection; @data->start goes on from there. */
static void
job_start (ClmrsDbWorker       *worker,
           JobData             *data,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) job_data_free);
  clmrs_db_worker_sync_connection_async (worker, cancellable, connection_cb, task);
}

static JobData *
job_data_new (const char *server_url,
              const char *code)
{
  JobData *data = g_new0 (JobData, 1);

  data->server_url = server_url != NULL && *server_url != '\0' ? g_strstrip (g_strdup (server_url)) : NULL;
  data->code = g_strdup (code);
  return data;
}

static void
enrol_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  JobData *data = task_data;
  ClmrsSyncConfig config = { .server_url = data->server_url, .max_attempts = 2, .connect_timeout_s = 15 };
  g_autoptr(GError) error = NULL;
  ClmrsStore *store = clmrs_sync_connection_lock (data->connection);
  gboolean ok = clmrs_sync_enrol (store, &config, data->code, NULL, &error);

  clmrs_sync_connection_unlock (data->connection);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
enrol_start (GTask *task)
{
  g_task_run_in_thread (task, enrol_thread);
}

/* Enrols with @code; the URL, token and CA are saved in the store. */
void
clmrs_sync_jobs_enrol_async (ClmrsDbWorker       *worker,
                              const char          *server_url,
                              const char          *code,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  JobData *data;

  g_return_if_fail (CLMRS_IS_DB_WORKER (worker));
  g_return_if_fail (code != NULL);

  data = job_data_new (server_url, code);
  data->start = enrol_start;
  job_start (worker, data, clmrs_sync_jobs_enrol_async, cancellable, callback, user_data);
}

gboolean
clmrs_sync_jobs_enrol_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* On the worker: what the request needs, read from its own connection
 * (the sync's may be busy for minutes). */
static gpointer
read_target_job (ClmrsStore    *store,
                 gpointer       user_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  JobData *data = user_data;
  ClmrsSyncConfig config = { .server_url = data->server_url, .max_attempts = 1, .connect_timeout_s = 10,
                             .low_speed_time_s = 10 };

  return clmrs_sync_target_read (store, &config, error);
}

static void
health_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ClmrsSyncTarget *target = task_data;
  g_autoptr(GError) error = NULL;
  char *version = NULL;

  if (!clmrs_sync_target_check_health (target, &version, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, version, g_free);
}

static void
target_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  ClmrsSyncTarget *target = clmrs_db_worker_run_finish (CLMRS_DB_WORKER (source), result, &error);

  if (target == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_set_task_data (task, target, (GDestroyNotify) clmrs_sync_target_free);
  g_task_run_in_thread (task, health_thread);
}

/* Asks GET /api/v1/health once, without retries: the server's address
 * read on the worker, the request on a thread (answered while a sync
 * runs). */
void
clmrs_sync_jobs_check_health_async (ClmrsDbWorker       *worker,
                                    const char          *server_url,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CLMRS_IS_DB_WORKER (worker));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, clmrs_sync_jobs_check_health_async);
  clmrs_db_worker_run_async (worker, read_target_job, job_data_new (server_url, NULL),
                             (GDestroyNotify) job_data_free, (GDestroyNotify) clmrs_sync_target_free,
                             cancellable, target_cb, task);
}

char *
clmrs_sync_jobs_check_health_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
run_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  JobData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!clmrs_sync_run_finish (result, &data->report, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
run_start (GTask *task)
{
  JobData *data = g_task_get_task_data (task);

  clmrs_sync_run_async (data->connection, &data->config, g_task_get_cancellable (task),
                        data->progress, data->progress_data, run_cb, g_object_ref (task));
}

/* clmrs_sync_run_async() on the sync's connection of @worker. */
void
clmrs_sync_jobs_run_async (ClmrsDbWorker          *worker,
                           const ClmrsSyncConfig  *config,
                           GCancellable           *cancellable,
                           ClmrsSyncProgressFunc   progress,
                           gpointer                progress_data,
                           GAsyncReadyCallback     callback,
                           gpointer                user_data)
{
  JobData *data;

  g_return_if_fail (CLMRS_IS_DB_WORKER (worker));

  data = job_data_new (config != NULL ? config->server_url : NULL, NULL);
  if (config != NULL)
    data->config = *config;
  data->cacert = g_strdup (data->config.cacert);
  data->config.server_url = data->server_url;
  data->config.cacert = data->cacert;
  data->progress = progress;
  data->progress_data = progress_data;
  data->start = run_start;
  job_start (worker, data, clmrs_sync_jobs_run_async, cancellable, callback, user_data);
}

gboolean
clmrs_sync_jobs_run_finish (GAsyncResult     *result,
                            ClmrsSyncReport  *report,
                            GError          **error)
{
  JobData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = data->report;
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
clmrs_enrolment_free (ClmrsEnrolment *enrolment)
{
  if (enrolment == NULL)
    return;
  g_free (enrolment->server_url);
  g_free (enrolment);
}

static gpointer
read_enrolment_job (ClmrsStore    *store,
                    gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(ClmrsEnrolment) enrolment = g_new0 (ClmrsEnrolment, 1);
  g_autofree char *token = NULL;

  if (!clmrs_store_get_meta (store, "sync_token", &token, error) ||
      !clmrs_store_get_meta (store, "server_url", &enrolment->server_url, error))
    return NULL;
  enrolment->enrolled = token != NULL && *token != '\0';
  return g_steal_pointer (&enrolment);
}

/* The enrolment, read on @worker; a result nobody takes (the job
 * cancelled after it ran) is freed with the task. */
void
clmrs_sync_jobs_read_enrolment_async (ClmrsDbWorker       *worker,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (worker));

  clmrs_db_worker_run_async (worker, read_enrolment_job, NULL, NULL, (GDestroyNotify) clmrs_enrolment_free,
                             cancellable, callback, user_data);
}

ClmrsEnrolment *
clmrs_sync_jobs_read_enrolment_finish (ClmrsDbWorker  *worker,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  return clmrs_db_worker_run_finish (worker, result, error);
}

char *
clmrs_sync_jobs_describe_error (const GError *error)
{
  const char *text;

  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("Cancelled."));
  if (error->domain != CLMRS_SYNC_ERROR)
    return g_strdup (error->message);
  /* an enrolment's 401 or 4xx is about the code (invalid_code, used, expired) */
  if (g_str_has_prefix (error->message, "enrolling") &&
      (error->code == CLMRS_SYNC_ERROR_AUTH || error->code == CLMRS_SYNC_ERROR_REFUSED))
    return g_strdup (_("The server refused the code. It may be mistyped, already used or expired."));
  switch ((ClmrsSyncError) error->code)
    {
    case CLMRS_SYNC_ERROR_NOT_ENROLLED:
      return g_strdup (_("This device is not enrolled with a server yet."));
    case CLMRS_SYNC_ERROR_NETWORK:
      text = _("The server cannot be reached. Check the address and the network, then try again.");
      break;
    case CLMRS_SYNC_ERROR_TLS:
      text = _("The server’s security certificate could not be verified. Check the address, or ask your supervisor.");
      break;
    case CLMRS_SYNC_ERROR_AUTH:
      return g_strdup (_("The server does not know this device any more. Enrol it again with a new code."));
    case CLMRS_SYNC_ERROR_REVOKED:
      return g_strdup (_("This device was removed from the server. Ask your supervisor."));
    case CLMRS_SYNC_ERROR_SERVER:
      text = _("The server has a problem. Try again later.");
      break;
    case CLMRS_SYNC_ERROR_PROTOCOL:
      text = _("The server’s answer was not understood. Check the address.");
      break;
    case CLMRS_SYNC_ERROR_REFUSED:
      text = _("The server refused the request.");
      break;
    case CLMRS_SYNC_ERROR_CANCELLED:
      return g_strdup (_("Cancelled."));
    case CLMRS_SYNC_ERROR_STORE:
      text = _("The device’s database failed.");
      break;
    default:
      return g_strdup (error->message);
    }
  /* the technical detail is clmrs_sync_jobs_error_detail()'s, shown apart */
  return g_strdup (text);
}

char *
clmrs_sync_jobs_error_detail (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || error->domain != CLMRS_SYNC_ERROR ||
      error->code == CLMRS_SYNC_ERROR_CANCELLED || error->code == CLMRS_SYNC_ERROR_NOT_ENROLLED ||
      (error->code == CLMRS_SYNC_ERROR_AUTH && !g_str_has_prefix (error->message, "enrolling")) ||
      error->code == CLMRS_SYNC_ERROR_REVOKED)
    return NULL;
  return g_strdup (error->message);
}

char *
clmrs_sync_jobs_describe_report (const ClmrsSyncReport *report)
{
  g_autofree char *sent = NULL;
  g_autofree char *pulled = NULL;
  g_autofree char *rejected = NULL;

  g_return_val_if_fail (report != NULL, NULL);

  sent = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu record sent",
                                       "%lu records sent", (gulong) report->records_sent),
                          (gulong) report->records_sent);
  pulled = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu received",
                                         "%lu received", (gulong) report->pulled),
                            (gulong) report->pulled);
  if (report->rejected == 0)
    /* Translators: "3 records sent, 12 received" */
    return g_strdup_printf (_("%s, %s"), sent, pulled);
  rejected = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lu refused",
                                           "%lu refused", (gulong) report->rejected),
                              (gulong) report->rejected);
  /* Translators: "3 records sent, 12 received, 1 refused" */
  return g_strdup_printf (_("%s, %s, %s"), sent, pulled, rejected);
}
