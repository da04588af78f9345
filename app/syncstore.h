/* syncstore.h: the store's side of sync: batches out, acknowledgements in, pulled records applied. */
#pragma once

#include "store.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One queued envelope on its way out. */
typedef struct {
  char   *record_id;
  gint64  rev;
  char   *line;
} ClmrsOutgoing;

void       clmrs_outgoing_free          (ClmrsOutgoing *outgoing);

/* The oldest queued envelopes, in finalisation order, adding up to at
 * most @max_bytes (but always at least one) and @max_records. */
GPtrArray *clmrs_outbox_next_batch      (ClmrsStore  *store,
                                         gsize        max_bytes,
                                         guint        max_records,
                                         GError     **error);     /* (element-type ClmrsOutgoing) */
/* How many records wait to leave, in @count; FALSE with @error (and
 * @count -1) when the store cannot say. */
gboolean   clmrs_outbox_count_queued    (ClmrsStore  *store,
                                         gint64      *count,
                                         GError     **error);

/* Applies the server's per-record answers (the `results` of a push
 * response, parsed: ClmrsPushResult) in one transaction: stored and duplicate
 * leave the queue as sent; conflict and rejected stay on the device,
 * marked rejected with the reason, for a supervisor to see.  Unknown ids
 * are an error and change nothing.  Counts go to @counts[4] (stored,
 * duplicate, conflict, rejected) when not NULL. */
gboolean   clmrs_outbox_apply_results   (ClmrsStore  *store,
                                         GPtrArray   *results,    /* (element-type ClmrsPushResult) */
                                         guint       *counts,
                                         GError     **error);
/* Marks one record rejected with @reason (a line the server refused whole). */
gboolean   clmrs_outbox_reject          (ClmrsStore  *store,
                                         const char  *record_id,
                                         gint64       rev,
                                         const char  *reason,
                                         GError     **error);
/* Counts a failed attempt at sending @batch and remembers @message. */
gboolean   clmrs_outbox_note_failure    (ClmrsStore  *store,
                                         GPtrArray   *batch,
                                         const char  *message,
                                         GError     **error);

/* Applies one pulled page (envelope objects, already validated) and
 * stores @next_cursor, in one transaction: the cursor moves only with
 * the data it covers.  Records this device made are skipped; newer
 * revisions replace older ones; nothing pulled enters the outbox. */
gboolean   clmrs_pull_apply             (ClmrsStore  *store,
                                         GPtrArray   *envelopes,  /* (element-type JsonObject) */
                                         const char  *next_cursor,
                                         guint       *applied,
                                         GError     **error);

typedef struct {
  guint applied;           /* records applied (set-aside ones that now went in included) */
  guint set_aside;         /* records waiting set aside after this page */
  guint newly_set_aside;   /* how many more than before the page */
} ClmrsPullCounts;

/* As clmrs_pull_apply(); a record the device cannot apply (a body that
 * fails clmrs_record_check_body(), a reference to a record not here, a
 * constraint of the store) is set aside with its reason, and the page
 * goes on past it.  @invalid (nullable, the length of @envelopes) gives
 * a reason for envelopes the caller already found malformed. */
gboolean   clmrs_pull_apply_full        (ClmrsStore       *store,
                                         GPtrArray        *envelopes,
                                         GPtrArray        *invalid,   /* (element-type utf8) (nullable) */
                                         const char       *next_cursor,
                                         ClmrsPullCounts  *counts,
                                         GError          **error);

/* A pulled record set aside: kept whole, tried again after each pull. */
typedef struct {
  char   *record_id;
  gint64  rev;
  char   *type;
  char   *reason;
  char   *first_seen;
  int     attempts;
} ClmrsSetAside;

void       clmrs_set_aside_free         (ClmrsSetAside *item);
/* POST /api/v1/problems: what the server has not been told yet (NULL:
 * nothing, or an error), and marking it told. */
char      *clmrs_pull_problem_report    (ClmrsStore    *store,
                                         GError       **error);
gboolean   clmrs_pull_mark_reported     (ClmrsStore    *store,
                                         const char    *report,
                                         GError       **error);
gint64     clmrs_pull_count_set_aside   (ClmrsStore    *store,
                                         GError       **error);   /* -1 with @error when it cannot be read */
GPtrArray *clmrs_pull_list_set_aside    (ClmrsStore    *store,
                                         GError       **error);   /* (element-type ClmrsSetAside) */

G_END_DECLS
