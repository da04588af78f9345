/* casebook.h: cases and the facilitator's lists, read from the store. */
#pragma once

#include "cases.h"
#include "store.h"

G_BEGIN_DECLS

/* Recomputes (with cases.c) the cached case of one child, as of @today.
 * @config NULL for the defaults.  Runs inside the caller's transaction. */
gboolean   clmrs_casebook_refresh_child   (ClmrsStore            *store,
                                           const char            *child_id,
                                           const GDate           *today,
                                           const ClmrsCaseConfig *config,
                                           GError               **error);
/* Recomputes every child's case in one transaction (once a day, or after
 * a pull): statuses such as due, overdue and aged out move with time. */
gboolean   clmrs_casebook_refresh_all     (ClmrsStore            *store,
                                           const GDate           *today,
                                           const ClmrsCaseConfig *config,
                                           guint                 *n_cases,
                                           GError               **error);

typedef struct {
  char     *child_id;
  char     *child_name;
  char     *household_id;
  char     *head_name;
  char     *community;     /* its name */
  char     *status;        /* case status code as last computed */
  char     *next_due;      /* YYYY-MM-DD */
  int       days_late;     /* today - next_due: > 0 late, <= 0 not yet due */
} ClmrsDueItem;

void       clmrs_due_item_free            (ClmrsDueItem *item);

/* Open cases whose follow-up is due by @today + @horizon_days, the most
 * overdue first, at most @limit. */
GPtrArray *clmrs_casebook_follow_ups_due  (ClmrsStore            *store,
                                           const GDate           *today,
                                           int                    horizon_days,
                                           guint                  limit,
                                           GError               **error);  /* (element-type ClmrsDueItem) */

typedef struct {
  char *id;
  char *head_name;
  char *community;
  int   n_children;
} ClmrsHouseholdItem;

void       clmrs_household_item_free      (ClmrsHouseholdItem *item);

/* Households whose head's name starts with @prefix (any case), by name. */
GPtrArray *clmrs_casebook_search_households (ClmrsStore          *store,
                                             const char          *prefix,
                                             guint                limit,
                                             GError             **error); /* (element-type ClmrsHouseholdItem) */

/* The indicators of the whole device (or of [@from, @to]) as JSON. */
JsonNode  *clmrs_casebook_indicators      (ClmrsStore            *store,
                                           const char            *from,
                                           const char            *to,
                                           const GDate           *today,
                                           GError               **error);

/* As clmrs_casebook_indicators(), cases evaluated with @config (NULL for the defaults). */
JsonNode  *clmrs_casebook_indicators_full (ClmrsStore            *store,
                                           const char            *from,
                                           const char            *to,
                                           const GDate           *today,
                                           const ClmrsCaseConfig *config,
                                           GError               **error);

G_END_DECLS
