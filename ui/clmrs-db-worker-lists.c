/* clmrs-db-worker-lists.c: what the screens list, read on the database worker: households, follow-ups due, the queue, indicators, visits and reviews, one household. */
#define G_LOG_DOMAIN "clmrs-db-worker"

#include "clmrs-db-worker.h"
#include "clmrs-db-worker-private.h"

#include <glib/gi18n.h>

#include "audit.h"
#include "casebook.h"
#include "outbox.h"
#include "review.h"
#include "util.h"

/* --- households --- */

typedef struct {
  char      *prefix;
  guint      offset;
  guint      limit;
  /* out */
  guint      n_matching;
  GPtrArray *items;
} SearchData;

static void
search_data_free (SearchData *data)
{
  g_free (data->prefix);
  g_clear_pointer (&data->items, g_ptr_array_unref);
  g_free (data);
}

static gpointer
search_job (ClmrsStore    *store,
            gpointer       user_data,
            GCancellable  *cancellable,
            GError       **error)
{
  SearchData *data = user_data;
  gint64 count;

  data->items = clmrs_casebook_search_households_page (store, data->prefix, data->offset, data->limit, error);
  if (data->items == NULL)
    return NULL;
  count = clmrs_casebook_count_households (store, data->prefix, error);
  if (count < 0)
    return NULL;
  data->n_matching = (guint) count;
  return data;
}

void
clmrs_db_worker_search_households_async (ClmrsDbWorker       *self,
                                         const char          *prefix,
                                         guint                offset,
                                         guint                limit,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  SearchData *data;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));

  data = g_new0 (SearchData, 1);
  data->prefix = g_strdup (prefix ? prefix : "");
  data->offset = offset;
  data->limit = limit;
  /* the job returns its own data: it is freed with the task, not twice */
  _clmrs_db_worker_push_job (self, clmrs_db_worker_search_households_async, search_job, NULL, data,
                             (GDestroyNotify) search_data_free, NULL, cancellable, callback, user_data);
}

GPtrArray *
clmrs_db_worker_search_households_finish (ClmrsDbWorker  *self,
                                          GAsyncResult   *result,
                                          guint          *n_matching,
                                          GError        **error)
{
  SearchData *data = _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_search_households_async, error);

  if (data == NULL)
    return NULL;
  if (n_matching != NULL)
    *n_matching = data->n_matching;
  return g_steal_pointer (&data->items);
}

/* --- lists --- */

typedef struct {
  int   horizon_days;
  guint limit;
} DueData;

static gpointer
follow_ups_due_job (ClmrsStore    *store,
                    gpointer       user_data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  DueData *data = user_data;
  GDate today;

  clmrs_date_today (&today);
  return clmrs_casebook_follow_ups_due (store, &today, data->horizon_days, data->limit, error);
}

void
clmrs_db_worker_follow_ups_due_async (ClmrsDbWorker       *self,
                                      int                  horizon_days,
                                      guint                limit,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  DueData *data;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));

  data = g_new0 (DueData, 1);
  data->horizon_days = horizon_days;
  data->limit = limit;
  _clmrs_db_worker_push_job (self, clmrs_db_worker_follow_ups_due_async, follow_ups_due_job, NULL, data, g_free,
                             (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
clmrs_db_worker_follow_ups_due_finish (ClmrsDbWorker  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  return _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_follow_ups_due_async, error);
}

static gpointer
queue_job (ClmrsStore    *store,
           gpointer       user_data,
           GCancellable  *cancellable,
           GError       **error)
{
  return clmrs_outbox_queue_by_facilitator (store, error);
}

void
clmrs_db_worker_queue_async (ClmrsDbWorker       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (self));

  _clmrs_db_worker_push_job (self, clmrs_db_worker_queue_async, queue_job, NULL, NULL, NULL,
                             (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
clmrs_db_worker_queue_finish (ClmrsDbWorker  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_queue_async, error);
}

static gpointer
indicators_job (ClmrsStore    *store,
                gpointer       user_data,
                GCancellable  *cancellable,
                GError       **error)
{
  const ClmrsCaseConfig *config = user_data;
  GDate today;

  clmrs_date_today (&today);
  return clmrs_casebook_indicators_full (store, NULL, NULL, &today, config, error);
}

void
clmrs_db_worker_indicators_async (ClmrsDbWorker       *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  ClmrsCaseConfig *config;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));

  config = g_new0 (ClmrsCaseConfig, 1);
  clmrs_db_worker_get_case_config (self, config);
  _clmrs_db_worker_push_job (self, clmrs_db_worker_indicators_async, indicators_job, NULL, config, g_free,
                             (GDestroyNotify) json_node_unref, cancellable, callback, user_data);
}

JsonNode *
clmrs_db_worker_indicators_finish (ClmrsDbWorker  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  return _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_indicators_async, error);
}

/* --- visits and reviews --- */

typedef struct {
  char  *review_state;
  char  *facilitator_id;
  guint  limit;
} ListVisitsData;

static void
list_visits_data_free (ListVisitsData *data)
{
  g_free (data->review_state);
  g_free (data->facilitator_id);
  g_free (data);
}

static gpointer
list_visits_job (ClmrsStore    *store,
                 gpointer       user_data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  ListVisitsData *data = user_data;

  return clmrs_review_list_visits (store, data->review_state, data->facilitator_id, data->limit, error);
}

void
clmrs_db_worker_list_visits_async (ClmrsDbWorker       *self,
                                   const char          *review_state,
                                   const char          *facilitator_id,
                                   guint                limit,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  ListVisitsData *data;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (review_state != NULL);

  data = g_new0 (ListVisitsData, 1);
  data->review_state = g_strdup (review_state);
  data->facilitator_id = g_strdup (facilitator_id);
  data->limit = limit;
  _clmrs_db_worker_push_job (self, clmrs_db_worker_list_visits_async, list_visits_job, NULL, data,
                             (GDestroyNotify) list_visits_data_free, (GDestroyNotify) g_ptr_array_unref,
                             cancellable, callback, user_data);
}

GPtrArray *
clmrs_db_worker_list_visits_finish (ClmrsDbWorker  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_list_visits_async, error);
}

static gpointer
get_visit_job (ClmrsStore    *store,
               gpointer       user_data,
               GCancellable  *cancellable,
               GError       **error)
{
  return clmrs_review_get_visit (store, user_data, error);
}

void
clmrs_db_worker_get_visit_async (ClmrsDbWorker       *self,
                                 const char          *visit_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (visit_id != NULL);

  _clmrs_db_worker_push_job (self, clmrs_db_worker_get_visit_async, get_visit_job, NULL, g_strdup (visit_id), g_free,
                             (GDestroyNotify) clmrs_visit_summary_free, cancellable, callback, user_data);
}

ClmrsVisitSummary *
clmrs_db_worker_get_visit_finish (ClmrsDbWorker  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  return _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_get_visit_async, error);
}

/* --- one household --- */

typedef struct {
  char               *household_id;
  char               *language;
  guint               visit_limit;
  ClmrsCaseConfig     case_config;
  ClmrsHouseholdFile *file;         /* results */
  GHashTable         *form_titles;
} HouseholdData;

static void
household_data_free (HouseholdData *data)
{
  g_free (data->household_id);
  g_free (data->language);
  g_clear_pointer (&data->file, clmrs_household_file_free);
  g_clear_pointer (&data->form_titles, g_hash_table_unref);
  g_free (data);
}

/* Titles already read, "LANGUAGE\nFORM" -> title: reading one parses the
 * whole form, and the household page asks for the same few each time it
 * opens.  Only the worker thread uses it; the lock keeps that honest. */
G_LOCK_DEFINE_STATIC (title_cache);
static GHashTable *title_cache;

/* The form's title in @language (its itext), or NULL when it cannot be read. */
static char *
form_title (const char *form_id,
            const char *language)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsForm) form = NULL;
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autofree char *key = g_strdup_printf ("%s\n%s", language ? language : "", form_id);
  char *title;

  G_LOCK (title_cache);
  title = title_cache != NULL ? g_strdup (g_hash_table_lookup (title_cache, key)) : NULL;
  G_UNLOCK (title_cache);
  if (title != NULL)
    return title;

  form = clmrs_form_load (form_id, &error);
  if (form != NULL)
    session = clmrs_form_session_new (form, &error);
  if (session == NULL)
    {
      g_debug ("no title for form %s: %s", form_id, error->message);
      return NULL;
    }
  clmrs_form_session_set_language (session, language);
  title = clmrs_form_session_dup_title (session);
  G_LOCK (title_cache);
  if (title_cache == NULL)
    title_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (title_cache, g_steal_pointer (&key), g_strdup (title));
  G_UNLOCK (title_cache);
  return title;
}

static gpointer
household_job (ClmrsStore    *store,
               gpointer       user_data,
               GCancellable  *cancellable,
               GError       **error)
{
  HouseholdData *data = user_data;
  GDate today;

  clmrs_date_today (&today);
  data->file = clmrs_casebook_household (store, data->household_id, &today, &data->case_config,
                                         data->visit_limit, error);
  if (data->file == NULL)
    return NULL;
  clmrs_audit_open (store, "household", data->household_id);
  data->form_titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < data->file->visits->len + data->file->drafts->len; i++)
    {
      ClmrsHouseholdVisit *visit = i < data->file->visits->len
                                   ? g_ptr_array_index (data->file->visits, i)
                                   : g_ptr_array_index (data->file->drafts, i - data->file->visits->len);
      char *title;

      if (visit->form_id == NULL || g_hash_table_contains (data->form_titles, visit->form_id))
        continue;
      title = form_title (visit->form_id, data->language);
      if (title != NULL)
        g_hash_table_insert (data->form_titles, g_strdup (visit->form_id), title);
    }
  return data;
}

void
clmrs_db_worker_household_async (ClmrsDbWorker       *self,
                                 const char          *household_id,
                                 const char          *language,
                                 guint                visit_limit,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  HouseholdData *data;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (household_id != NULL);

  data = g_new0 (HouseholdData, 1);
  data->household_id = g_strdup (household_id);
  data->language = g_strdup (language);
  data->visit_limit = visit_limit;
  clmrs_db_worker_get_case_config (self, &data->case_config);
  /* the job returns its own data: it is freed with the task, not twice */
  _clmrs_db_worker_push_job (self, clmrs_db_worker_household_async, household_job, NULL, data,
                             (GDestroyNotify) household_data_free, NULL, cancellable, callback, user_data);
}

ClmrsHouseholdFile *
clmrs_db_worker_household_finish (ClmrsDbWorker  *self,
                                  GAsyncResult   *result,
                                  GHashTable    **form_titles,
                                  GError        **error)
{
  HouseholdData *data = _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_household_async, error);

  if (data == NULL)
    return NULL;
  if (form_titles != NULL)
    *form_titles = g_steal_pointer (&data->form_titles);
  return g_steal_pointer (&data->file);
}

static gpointer
review_job (ClmrsStore    *store,
            gpointer       user_data,
            GCancellable  *cancellable,
            GError       **error)
{
  GStrv args = user_data;

  return clmrs_review_record (store, args[0], args[1], args[2], args[3], error);
}

void
clmrs_db_worker_review_async (ClmrsDbWorker       *self,
                              const char          *visit_id,
                              const char          *supervisor_id,
                              const char          *decision,
                              const char          *message,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GStrv args;

  g_return_if_fail (CLMRS_IS_DB_WORKER (self));
  g_return_if_fail (visit_id != NULL);
  g_return_if_fail (supervisor_id != NULL);
  g_return_if_fail (decision != NULL);

  args = g_new0 (char *, 5);
  args[0] = g_strdup (visit_id);
  args[1] = g_strdup (supervisor_id);
  args[2] = g_strdup (decision);
  args[3] = g_strdup (message);
  _clmrs_db_worker_push_job (self, clmrs_db_worker_review_async, review_job, NULL, args,
                             (GDestroyNotify) g_strfreev, g_free, cancellable, callback, user_data);
}

gboolean
clmrs_db_worker_review_finish (ClmrsDbWorker  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_autofree char *review_id = _clmrs_db_worker_finish_pointer (self, result, clmrs_db_worker_review_async, error);

  return review_id != NULL;
}
