/* clmrs-db-worker-drafts.c: a visit's draft on the database worker: opened, its answers saved, discarded, finalised. */
#define G_LOG_DOMAIN "clmrs-db-worker"

#include "clmrs-db-worker-drafts.h"

#include "catalog.h"
#include "review.h"

/*
 * Each call is one core call run by clmrs_db_worker_run_async(), in the
 * worker's order: an answer saved before Finish is in the draft the
 * finalisation reads.
 */

/* --- opened --- */

typedef struct {
  char *form_path;
  char *form_id;
  char *facilitator_id;
  char *facilitator_name;
  char *facilitator_sex;
  char *community_id;
  char *household_id;
  char *child_id;
  char *support_type;
  char *date;
  char *language;
  char *draft_id;
  char *corrects;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->form_path);
  g_free (data->form_id);
  g_free (data->facilitator_id);
  g_free (data->facilitator_name);
  g_free (data->facilitator_sex);
  g_free (data->community_id);
  g_free (data->household_id);
  g_free (data->child_id);
  g_free (data->support_type);
  g_free (data->date);
  g_free (data->language);
  g_free (data->draft_id);
  g_free (data->corrects);
  g_free (data);
}

static gpointer
open_job (ClmrsStore    *store,
          gpointer       user_data,
          GCancellable  *cancellable,
          GError       **error)
{
  OpenData *data = user_data;
  ClmrsDraftRequest request = {
    .form_id = data->form_id,
    .form_path = data->form_path,
    .facilitator_id = data->facilitator_id,
    .facilitator_name = data->facilitator_name,
    .facilitator_sex = data->facilitator_sex,
    .community_id = data->community_id,
    .household_id = data->household_id,
    .child_id = data->child_id,
    .support_type = data->support_type,
    .date = data->date,
    .language = data->language,
  };

  /* a correction is a draft filled from the returned visit (core) */
  if (data->corrects != NULL &&
      (data->draft_id = clmrs_review_start_correction (store, data->corrects, data->facilitator_id, error)) == NULL)
    return NULL;
  if (data->draft_id != NULL)
    return clmrs_draft_resume (store, data->draft_id, data->language, error);
  return clmrs_draft_start (store, &request, error);
}

void
clmrs_db_worker_open_draft_async (ClmrsDbWorker           *self,
                                  const ClmrsDraftRequest *request,
                                  const char              *draft_id,
                                  const char              *corrects,
                                  GCancellable            *cancellable,
                                  GAsyncReadyCallback      callback,
                                  gpointer                 user_data)
{
  OpenData *data;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (request != NULL);

  data = g_new0 (OpenData, 1);
  data->form_path = g_strdup (request->form_path);
  data->form_id = g_strdup (request->form_id);
  data->facilitator_id = g_strdup (request->facilitator_id);
  data->facilitator_name = g_strdup (request->facilitator_name);
  data->facilitator_sex = g_strdup (request->facilitator_sex);
  data->community_id = g_strdup (request->community_id);
  data->household_id = g_strdup (request->household_id);
  data->child_id = g_strdup (request->child_id);
  data->support_type = g_strdup (request->support_type);
  data->date = g_strdup (request->date);
  data->language = g_strdup (request->language);
  data->draft_id = g_strdup (draft_id);
  data->corrects = g_strdup (corrects);
  clmrs_db_worker_run_async (self, open_job, data, (GDestroyNotify) open_data_free,
                             (GDestroyNotify) clmrs_draft_free, cancellable, callback, user_data);
}

ClmrsDraft *
clmrs_db_worker_open_draft_finish (ClmrsDbWorker  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  return clmrs_db_worker_run_finish (self, result, error);
}

/* --- answers saved --- */

typedef struct {
  char      *visit_id;
  char      *ref;
  char      *value;
  GPtrArray *values;   /* all of them, after a repeat changed */
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->visit_id);
  g_free (data->ref);
  g_free (data->value);
  g_clear_pointer (&data->values, g_ptr_array_unref);
  g_free (data);
}

static gpointer
save_job (ClmrsStore    *store,
          gpointer       user_data,
          GCancellable  *cancellable,
          GError       **error)
{
  SaveData *data = user_data;
  gboolean ok;

  if (data->values != NULL)
    ok = clmrs_store_draft_save_all (store, data->visit_id, data->values, error);
  else
    ok = clmrs_store_draft_save_answer (store, data->visit_id, data->ref, data->value, error);
  return ok ? GINT_TO_POINTER (TRUE) : NULL;
}

void
clmrs_db_worker_save_answer_async (ClmrsDbWorker       *self,
                                   const char          *visit_id,
                                   const char          *ref,
                                   const char          *value,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  SaveData *data;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (visit_id != NULL);
  g_return_if_fail (ref != NULL);

  data = g_new0 (SaveData, 1);
  data->visit_id = g_strdup (visit_id);
  data->ref = g_strdup (ref);
  data->value = g_strdup (value);
  clmrs_db_worker_run_async (self, save_job, data, (GDestroyNotify) save_data_free, NULL,
                             cancellable, callback, user_data);
}

void
clmrs_db_worker_save_answers_async (ClmrsDbWorker       *self,
                                    const char          *visit_id,
                                    GPtrArray           *values,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  SaveData *data;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (visit_id != NULL);
  g_return_if_fail (values != NULL);

  data = g_new0 (SaveData, 1);
  data->visit_id = g_strdup (visit_id);
  data->values = values;
  clmrs_db_worker_run_async (self, save_job, data, (GDestroyNotify) save_data_free, NULL,
                             cancellable, callback, user_data);
}

gboolean
clmrs_db_worker_save_answer_finish (ClmrsDbWorker  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return clmrs_db_worker_run_finish (self, result, error) != NULL;
}

/* --- discarded --- */

static gpointer
discard_job (ClmrsStore    *store,
             gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  return clmrs_store_draft_discard (store, user_data, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

void
clmrs_db_worker_discard_draft_async (ClmrsDbWorker       *self,
                                     const char          *visit_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (visit_id != NULL);

  clmrs_db_worker_run_async (self, discard_job, g_strdup (visit_id), g_free, NULL,
                             cancellable, callback, user_data);
}

gboolean
clmrs_db_worker_discard_draft_finish (ClmrsDbWorker  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  return clmrs_db_worker_run_finish (self, result, error) != NULL;
}

/* --- finalised --- */

typedef struct {
  ClmrsFormSession *session;   /* lent: the caller's again in its callback */
  char             *visit_id;
  char             *country;
  ClmrsCaseConfig   case_config;
} FinaliseData;

static void
finalise_data_free (FinaliseData *data)
{
  g_free (data->visit_id);
  g_free (data->country);
  g_free (data);
}

static gpointer
finalise_job (ClmrsStore    *store,
              gpointer       user_data,
              GCancellable  *cancellable,
              GError       **error)
{
  FinaliseData *data = user_data;
  g_autoptr(ClmrsRuleSet) rules = NULL;
  ClmrsFinaliseResult *result = NULL;

  /* the newest rule set of the country on the device (built in or published) */
  rules = clmrs_catalog_rules_for_country (store, data->country, error);
  if (rules == NULL)
    return NULL;
  if (!clmrs_visit_finalise_full (store, data->visit_id, data->session, rules, NULL, &data->case_config,
                                  &result, error))
    return NULL;
  return result;
}

void
clmrs_db_worker_finalise_visit_async (ClmrsDbWorker       *self,
                                      const char          *visit_id,
                                      ClmrsFormSession    *session,
                                      const char          *country,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  FinaliseData *data;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (visit_id != NULL);
  g_return_if_fail (session != NULL);

  data = g_new0 (FinaliseData, 1);
  data->session = session;
  data->visit_id = g_strdup (visit_id);
  data->country = g_strdup (country);
  clmrs_db_worker_get_case_config (self, &data->case_config);
  clmrs_db_worker_run_async (self, finalise_job, data, (GDestroyNotify) finalise_data_free,
                             (GDestroyNotify) clmrs_finalise_result_free, NULL, callback, user_data);
}

ClmrsFinaliseResult *
clmrs_db_worker_finalise_visit_finish (ClmrsDbWorker  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  return clmrs_db_worker_run_finish (self, result, error);
}
