/* clmrs-db-worker.h: the one thread that owns the app's database connection. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "casebook.h"
#include "cases.h"
#include "client.h"
#include "people.h"
#include "review.h"
#include "store.h"

G_BEGIN_DECLS

#define CLMRS_TYPE_DB_WORKER (clmrs_db_worker_get_type ())

G_DECLARE_FINAL_TYPE (ClmrsDbWorker, clmrs_db_worker, CLMRS, DB_WORKER, GObject)

typedef void     (*ClmrsDbProgressFunc)                   (guint               done,
                                                           guint               total,
                                                           gpointer            user_data);

ClmrsDbWorker     *clmrs_db_worker_new                    (const char         *path);
const char        *clmrs_db_worker_get_path               (ClmrsDbWorker      *self);
void               clmrs_db_worker_close                  (ClmrsDbWorker      *self);

/* Opens the database, making it empty when it does not exist.  With
 * @demo_households (0: none, a real device's database), a new database is
 * made with clmrs_demo_generate() under a temporary name, so a failed or
 * interrupted generation never leaves a half-made one; an existing one
 * without demo data is filled when empty, else refused with the
 * generator's error.  @progress is called on the caller's main context.
 * The finish sets @demo when the database holds demo data
 * (clmrs_demo_store_is_demo()), asked for now or before. */
void               clmrs_db_worker_open_async             (ClmrsDbWorker      *self,
                                                           guint               demo_households,
                                                           ClmrsDbProgressFunc progress,
                                                           gpointer            progress_data,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gboolean           clmrs_db_worker_open_finish            (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           gboolean           *demo,
                                                           GError            **error);

/* The connection the network jobs use beside the worker's
 * (clmrs-sync-jobs.c): opened on the first call after a sign-in, the same
 * way as the worker's own, and let go at sign-out. */
void               clmrs_db_worker_sync_connection_async  (ClmrsDbWorker      *self,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
ClmrsSyncConnection *clmrs_db_worker_sync_connection_finish (ClmrsDbWorker    *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);

/* Every result below is owned by the caller. */
void               clmrs_db_worker_list_people_async      (ClmrsDbWorker      *self,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
GPtrArray         *clmrs_db_worker_list_people_finish     (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           GError            **error); /* (element-type ClmrsPerson) */

void               clmrs_db_worker_check_pin_async        (ClmrsDbWorker      *self,
                                                           const char         *person_id,
                                                           const char         *pin,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
/* Signed in: the person as the database knows them (role, sex).  On an
 * encrypted device this unwraps the key (Argon2id, about a second) and
 * opens the database; on a plain one (made before encryption) it also
 * encrypts it, or asks for a new PIN first (CLMRS_DEVICE_ERROR_NEW_PIN:
 * then clmrs_db_worker_set_own_pin_async() with the old PIN as
 * @one_time_pin).  Errors: CLMRS_STORE_ERROR_PIN (plain), or
 * CLMRS_KEYRING_ERROR_WRONG_PIN, _LOCKED, _ERASED with a message to show. */
ClmrsPerson       *clmrs_db_worker_check_pin_finish       (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);
/* TRUE when the database is plain and its next sign-in encrypts it
 * (known once opened). */
gboolean           clmrs_db_worker_get_will_encrypt       (ClmrsDbWorker      *self);
/* Signs out: on an encrypted device the database is closed and the key
 * wiped (jobs then fail with CLMRS_STORE_ERROR_LOCKED until a sign-in). */
void               clmrs_db_worker_sign_out               (ClmrsDbWorker      *self,
                                                           gboolean            locked);
/* A first sign-in: the person's own PIN (clmrs_store_set_own_pin()). */
void               clmrs_db_worker_set_own_pin_async      (ClmrsDbWorker      *self,
                                                           const char         *person_id,
                                                           const char         *one_time_pin,   /* nullable */
                                                           const char         *new_pin,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
ClmrsPerson       *clmrs_db_worker_set_own_pin_finish     (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);   /* the person signed in */

/* One page of households whose head's name starts with @prefix, in the
 * order of clmrs_casebook_search_households(), and how many match. */
void               clmrs_db_worker_search_households_async  (ClmrsDbWorker    *self,
                                                             const char       *prefix,
                                                             guint             offset,
                                                             guint             limit,
                                                             GCancellable     *cancellable,
                                                             GAsyncReadyCallback callback,
                                                             gpointer          user_data);
GPtrArray         *clmrs_db_worker_search_households_finish (ClmrsDbWorker    *self,
                                                             GAsyncResult     *result,
                                                             guint            *n_matching,
                                                             GError          **error); /* (element-type ClmrsHouseholdItem) */

void               clmrs_db_worker_follow_ups_due_async   (ClmrsDbWorker      *self,
                                                           int                 horizon_days,
                                                           guint               limit,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
GPtrArray         *clmrs_db_worker_follow_ups_due_finish  (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           GError            **error); /* (element-type ClmrsDueItem) */

void               clmrs_db_worker_queue_async            (ClmrsDbWorker      *self,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
GPtrArray         *clmrs_db_worker_queue_finish           (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           GError            **error); /* (element-type ClmrsQueueRow) */

void               clmrs_db_worker_indicators_async       (ClmrsDbWorker      *self,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
JsonNode          *clmrs_db_worker_indicators_finish      (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);

/* Finalised visits in @review_state ("pending", "returned"), of
 * @facilitator_id only unless NULL, newest first. */
void               clmrs_db_worker_list_visits_async      (ClmrsDbWorker      *self,
                                                           const char         *review_state,
                                                           const char         *facilitator_id,
                                                           guint               limit,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
GPtrArray         *clmrs_db_worker_list_visits_finish     (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           GError            **error); /* (element-type ClmrsVisitSummary) */

void               clmrs_db_worker_get_visit_async        (ClmrsDbWorker      *self,
                                                           const char         *visit_id,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
ClmrsVisitSummary *clmrs_db_worker_get_visit_finish       (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);

/* clmrs_casebook_household() of @household_id today, the cases evaluated
 * with the configuration set now, at most @visit_limit visits; and in
 * @form_titles (form id -> title, may be NULL) the title in @language of
 * each form its visits were made with, where the form can be read. */
void               clmrs_db_worker_household_async        (ClmrsDbWorker      *self,
                                                           const char         *household_id,
                                                           const char         *language,
                                                           guint               visit_limit,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
ClmrsHouseholdFile *clmrs_db_worker_household_finish      (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           GHashTable        **form_titles,
                                                           GError            **error);

/* clmrs_review_record(): "approved", or "returned" with @message. */
void               clmrs_db_worker_review_async           (ClmrsDbWorker      *self,
                                                           const char         *visit_id,
                                                           const char         *supervisor_id,
                                                           const char         *decision,
                                                           const char         *message,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gboolean           clmrs_db_worker_review_finish          (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);

/* The case rules' configuration (follow-up interval) every later job
 * computes cases with: opening, indicators, visits finalised
 * (clmrs_db_worker_get_case_config()).  Defaults until set. */
void               clmrs_db_worker_set_case_config        (ClmrsDbWorker         *self,
                                                           const ClmrsCaseConfig *config);
void               clmrs_db_worker_get_case_config        (ClmrsDbWorker         *self,
                                                           ClmrsCaseConfig       *config);
/* Recomputes every child's case with the configuration set now. */
void               clmrs_db_worker_refresh_cases_async    (ClmrsDbWorker      *self,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gboolean           clmrs_db_worker_refresh_cases_finish   (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);

/* Recomputes every child's case when they are not current for today and
 * the configuration set now (clmrs_casebook_refresh_if_stale());
 * @refreshed: whether they were not.  Jobs queued after it read current
 * cases. */
void               clmrs_db_worker_refresh_cases_if_stale_async  (ClmrsDbWorker      *self,
                                                                  GCancellable       *cancellable,
                                                                  GAsyncReadyCallback callback,
                                                                  gpointer            user_data);
gboolean           clmrs_db_worker_refresh_cases_if_stale_finish (ClmrsDbWorker      *self,
                                                                  GAsyncResult       *result,
                                                                  gboolean           *refreshed,
                                                                  GError            **error);

/* Runs @func with the store on the worker thread; the visit wizard uses it
 * for drafts and finalisation.  @func returns a pointer freed with
 * @result_free if nobody takes it, or NULL with @error set. */
typedef gpointer (*ClmrsDbJobFunc) (ClmrsStore   *store,
                                    gpointer      data,
                                    GCancellable *cancellable,
                                    GError      **error);

void               clmrs_db_worker_run_async              (ClmrsDbWorker      *self,
                                                           ClmrsDbJobFunc      func,
                                                           gpointer            data,
                                                           GDestroyNotify      data_free,
                                                           GDestroyNotify      result_free,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gpointer           clmrs_db_worker_run_finish             (ClmrsDbWorker      *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);

G_END_DECLS
