/* clmrs-sync-jobs.c: the sync client's network calls off the main thread, and their errors in words. */
#define G_LOG_DOMAIN "clmrs-sync-jobs"

#include "config.h"

#include "clmrs-sync-jobs.h"

#include <glib/gi18n.h>

typedef struct {
  char *db_path;
  char *server_url;
  char *code;
} JobData;

static void
job_data_free (JobData *data)
{
  g_free (data->db_path);
  g_free (data->server_url);
  g_free (data->code);
  g_free (data);
}

static GTask *
job_new (const char          *db_path,
         const char          *server_url,
         const char          *code,
         gpointer             source_tag,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  JobData *data = g_new0 (JobData, 1);

  data->db_path = g_strdup (db_path);
  data->server_url = server_url != NULL && *server_url != '\0' ? g_strstrip (g_strdup (server_url)) : NULL;
  data->code = g_strdup (code);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) job_data_free);
  return task;
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
  g_autoptr(ClmrsStore) store = clmrs_store_open (data->db_path, &error);

  if (store == NULL)
    g_task_return_new_error (task, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_STORE, "%s", error->message);
  else if (!clmrs_sync_enrol (store, &config, data->code, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Enrols with @code; the URL, token and CA are saved in the store. */
void
clmrs_sync_jobs_enrol_async (const char          *db_path,
                              const char          *server_url,
                              const char          *code,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (code != NULL);

  task = job_new (db_path, server_url, code, clmrs_sync_jobs_enrol_async, cancellable, callback, user_data);
  g_task_run_in_thread (task, enrol_thread);
}

gboolean
clmrs_sync_jobs_enrol_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
health_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  JobData *data = task_data;
  ClmrsSyncConfig config = { .server_url = data->server_url, .max_attempts = 1, .connect_timeout_s = 10,
                             .low_speed_time_s = 10 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsStore) store = clmrs_store_open (data->db_path, &error);
  char *version = NULL;

  if (store == NULL)
    g_task_return_new_error (task, CLMRS_SYNC_ERROR, CLMRS_SYNC_ERROR_STORE, "%s", error->message);
  else if (!clmrs_sync_check_health (store, &config, &version, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, version, g_free);
}

/* Asks GET /api/v1/health once, without retries. */
void
clmrs_sync_jobs_check_health_async (const char          *db_path,
                                    const char          *server_url,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (db_path != NULL);

  task = job_new (db_path, server_url, NULL, clmrs_sync_jobs_check_health_async, cancellable, callback, user_data);
  g_task_run_in_thread (task, health_thread);
}

char *
clmrs_sync_jobs_check_health_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
clmrs_enrolment_free (ClmrsEnrolment *enrolment)
{
  if (enrolment == NULL)
    return;
  g_free (enrolment->server_url);
  g_free (enrolment);
}

gpointer
clmrs_sync_jobs_read_enrolment (ClmrsStore    *store,
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
