/* retention.h: children whose case closed long ago leave the device once the server holds everything about them. */
#pragma once

#include <glib.h>

#include "store.h"

G_BEGIN_DECLS

/* A child the device may forget. */
typedef struct {
  char  *child_id;
  char  *household_id;
  char  *status;          /* "closed" or "exited" */
  char  *last_activity;   /* YYYY-MM-DD: their latest visit, support or case date */
  guint  n_visits;        /* their own visits (follow-ups, closures, supports) */
} ClmrsRetentionChild;

void       clmrs_retention_child_free (ClmrsRetentionChild *child);

/* (element-type ClmrsRetentionChild): the children whose case is closed
 * (a closure) or exited with no monitoring left, whose latest activity is
 * @keep_days or more before @today, with no draft of theirs and every
 * record about them (the child, their visits, supports, reviews, the
 * photos and signatures of their visits) acknowledged by the server;
 * oldest first.  @keep_days 0: none. */
GPtrArray *clmrs_retention_list       (ClmrsStore   *store,
                                       const GDate  *today,
                                       guint         keep_days,
                                       GError      **error);
/* Deletes every child clmrs_retention_list() gives, with their visits,
 * answers, media files, assessments, supports, reviews (the supervisors' messages),
 * case and acknowledged envelopes, in one transaction (the server keeps
 * them).  @n_purged (optional): how many children. */
gboolean   clmrs_retention_purge      (ClmrsStore   *store,
                                       const GDate  *today,
                                       guint         keep_days,
                                       guint        *n_purged,
                                       GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsRetentionChild, clmrs_retention_child_free)

G_END_DECLS
