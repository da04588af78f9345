/* casebook.h: cases and the facilitator's lists, read from the store. */
#pragma once

#include "cases.h"
#include "store.h"

G_BEGIN_DECLS

/* Recomputes (with cases.c) the cached case of one child, as of @today.
 * @config NULL for the defaults.  Runs inside the caller's transaction. */
/* Adds to @children the ids of the children visit @visit_id was about
 * (its child, the children it assessed): the cases a correction of it
 * changes. */
gboolean   clmrs_casebook_visit_children  (ClmrsStore            *store,
                                           const char            *visit_id,
                                           GPtrArray             *children,
                                           GError               **error);
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

/* Open cases whose follow-up is due by @today + @horizon_days, and exited
 * ones whose yearly monitoring visit is (status "exited"), the most
 * overdue first, at most @limit.  Closed cases are never listed. */
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

/* Households whose head's name, or a word of it, starts with @prefix
 * (any case): "kyei" finds "Abena Kyei"; by name, at most @limit. */
GPtrArray *clmrs_casebook_search_households (ClmrsStore          *store,
                                             const char          *prefix,
                                             guint                limit,
                                             GError             **error); /* (element-type ClmrsHouseholdItem) */
/* The same from the @offset-th match on, for a list read page by page. */
GPtrArray *clmrs_casebook_search_households_page (ClmrsStore     *store,
                                                  const char     *prefix,
                                                  guint           offset,
                                                  guint           limit,
                                                  GError        **error);
/* How many households match @prefix as above; -1 on error. */
gint64     clmrs_casebook_count_households (ClmrsStore          *store,
                                            const char          *prefix,
                                            GError             **error);

/* One unfinished visit (a draft) of a facilitator. */
typedef struct {
  char *visit_id;
  char *kind;                /* household follow_up support awareness community */
  char *head_name;           /* the household's head, or the name typed so far in a
                                new household's draft, or NULL */
  char *child_name;          /* the child a follow-up or support is for, or NULL */
  char *started;             /* RFC 3339 */
  char *modified;            /* RFC 3339: the last answer saved */
} ClmrsDraftItem;

void       clmrs_draft_item_free          (ClmrsDraftItem *item);

/* Every unfinished visit of @facilitator_id, the last touched first, so an
 * older one is never hidden behind a newer one. */
GPtrArray *clmrs_casebook_drafts          (ClmrsStore          *store,
                                           const char          *facilitator_id,
                                           GError             **error); /* (element-type ClmrsDraftItem) */

/* One child of a household, with their case as of the day asked. */
typedef struct {
  char      *child_id;
  char      *name;
  char      *sex;            /* "male", "female" or NULL */
  int        age;            /* completed years that day: from the date of birth, else from
                                the latest age recorded (a lower bound); -1 when unknown */
  char      *last_status;    /* classification code of the latest assessment, or NULL (none,
                                or out_of_scope found at an age the child has left for 5-17) */
  char      *last_finding;   /* the latest code in child labour (child_labour,
                                hazardous_child_labour, worst_form), or NULL */
  ClmrsCase  kase;           /* clmrs_case_evaluate() of the child's visits and supports */
} ClmrsHouseholdChild;

/* One finalised visit of a household. */
typedef struct {
  char *visit_id;
  char *kind;                /* household follow_up support awareness */
  char *form_id;
  char *visit_date;          /* YYYY-MM-DD, or NULL */
  char *facilitator_id;
  char *facilitator_name;    /* or the id, for someone enrolled elsewhere */
  char *child_name;          /* the child a follow-up or support is for, or NULL */
  char *review_state;        /* pending approved returned */
  char *outbox_state;        /* queued sent rejected (its latest revision), or NULL
                                when it never was in this device's outbox (pulled) */
} ClmrsHouseholdVisit;

typedef struct {
  char      *id;
  char      *head_name;
  char      *head_sex;
  char      *community;      /* its name */
  char      *last_visit;     /* date of the newest finalised visit, or NULL */
  GPtrArray *children;       /* (element-type ClmrsHouseholdChild) by name */
  GPtrArray *visits;         /* (element-type ClmrsHouseholdVisit) newest first */
  GPtrArray *drafts;         /* (element-type ClmrsHouseholdVisit) unfinished visits, the
                                last touched first (their visit_date may be NULL) */
  GPtrArray *overdue_supports; /* (element-type ClmrsOverdueSupport) planned supports neither
                                  given nor declined after the programme's days, oldest first */
} ClmrsHouseholdFile;

void       clmrs_household_file_free      (ClmrsHouseholdFile *file);

/* What a facilitator sees of household @household_id on @today: its head
 * and community, its children with their cases evaluated with @config (NULL
 * for the defaults; the same cases.c evaluation the cached cases come
 * from), its finalised visits, newest first, at most @visit_limit, and
 * as many of its unfinished visits (drafts), the last touched first.
 * CLMRS_STORE_ERROR_NOT_FOUND when there is no such household. */
ClmrsHouseholdFile *clmrs_casebook_household (ClmrsStore            *store,
                                              const char            *household_id,
                                              const GDate           *today,
                                              const ClmrsCaseConfig *config,
                                              guint                  visit_limit,
                                              GError               **error);

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsHouseholdFile, clmrs_household_file_free)

G_END_DECLS
