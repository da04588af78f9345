/* demo-private.h: what the demo generator's files share (demo.c, demo-visits.c, demo-answers.c): the simulated programme and its visits. */
#pragma once

#include "demo.h"
#include "rules.h"
#include "visit.h"
#include "xform.h"

G_BEGIN_DECLS

#define PICK(rand, list) (list[g_rand_int_range ((rand), 0, G_N_ELEMENTS (list))])

typedef enum {
  WORK_NONE,
  WORK_LIGHT,        /* permitted light work */
  WORK_UNDERAGE,     /* economic work below the light-work age, or too many hours */
  WORK_HAZARDOUS,
  WORK_WORST,
} WorkPattern;

typedef struct {
  char        *id;
  char        *name;
  const char  *sex;
  GDate        dob;
  gboolean     in_school;
  const char  *birth_certificate;
  WorkPattern  work;
  gboolean     identified;
  gboolean     exited;
  gboolean     gone;       /* moved or lost: no more follow-ups */
  gboolean     here;       /* present at the current visit: may answer for themselves */
  gboolean     moved;      /* gone because the family moved away */
  gboolean     back_at_work; /* found working again at the next visit (a relapse) */
  gboolean     hidden_at_home; /* the adults said at home that the child does no work;
                                  a farm visit finds the child at work */
  gint         clean_run;
} DemoChild;

typedef struct {
  char       *id;
  char       *name;
  const char *country;     /* "ci" / "gh" */
  const char *district;
  guint       facilitator; /* index */
} DemoCommunity;

typedef struct {
  char       *id;
  char       *name;
  const char *sex;
} DemoPerson;

/* A visit the supervisor looks at. */
typedef struct {
  char       *visit_id;
} DemoReviewable;

typedef struct {
  ClmrsStore      *store;
  GRand           *rand;
  ClmrsForm       *household_form;
  ClmrsForm       *follow_up_form;
  ClmrsForm       *closure_form;
  ClmrsForm       *farm_form;
  ClmrsForm       *support_form;
  ClmrsForm       *awareness_form;
  ClmrsForm       *community_form;
  ClmrsRuleSet    *rules_ci;
  ClmrsRuleSet    *rules_gh;
  GPtrArray       *communities;   /* DemoCommunity */
  GPtrArray       *facilitators;  /* DemoPerson */
  DemoPerson       supervisor;
  GDate            start;
  GDate            until;
  ClmrsDemoReport *report;
  GPtrArray       *reviewable;    /* DemoReviewable, for the supervisor */
  gboolean         autosave;      /* write each answer to the draft, as the app does */
  gint64           clock;         /* the fake clock, seconds since 1970 (UTC) */
  const char      *language;      /* ClmrsDemoOptions.language */
} Demo;

/* What the walker asks: the value for a question, or NULL to use the
 * default for its type (a required question always gets one). */
typedef const char *(*AnswerFunc) (const ClmrsPrompt *prompt,
                                   const char        *leaf,
                                   guint              instance,
                                   gpointer           user_data);

typedef struct {
  Demo          *demo;
  const char    *date;
  DemoCommunity *community;
  DemoPerson    *facilitator;
  const char    *head_name;
  const char    *head_sex;
  GPtrArray     *children;   /* DemoChild, roster order */
  DemoChild     *child;      /* follow-ups */
  const char    *child_status;
  const char    *closure_reason;
  gboolean       at_farm;    /* a farm visit: the children found there */
  GStrv          support_received;
  /* support record / awareness */
  const char    *support_type;
  const char    *support_level;
  char           scratch[256];
} Visit;

/* demo.c: people, places and the fake clock */
char *_clmrs_demo_person_name (Demo *demo, const char *country, const char *sex, const char *surname);
void _clmrs_demo_clock_at (Demo *demo, const char *date);
void _clmrs_demo_clock_advance (Demo *demo);
void _clmrs_demo_child_free (gpointer data);

/* demo-answers.c: the answers a visit gives its form */
gboolean _clmrs_demo_fill (Demo *demo, ClmrsFormSession *session, const char *visit_id, const char *date, AnswerFunc answer, gpointer user_data, GError **error);
const char *_clmrs_demo_answer_visit (const ClmrsPrompt *p, const char *leaf, guint instance, gpointer user_data);
int _clmrs_demo_age_at (const DemoChild *child, const char *date);

/* demo-visits.c: a household's, a child's and a community's visits */
ClmrsFinaliseResult *_clmrs_demo_household_visit (Demo *demo, DemoCommunity *community, const char *household_id, const char *head_name, const char *head_sex, GPtrArray *children, gboolean known_children, const char *date, GError **error);
gboolean _clmrs_demo_farm_visit (Demo *demo, DemoCommunity *community, const char *household_id, GPtrArray *found, const char *date, GError **error);
gboolean _clmrs_demo_simulate_household (Demo *demo, DemoCommunity *community, GError **error);
DemoChild *_clmrs_demo_new_child (Demo *demo, const char *country, const char *surname, const GDate *visit);
gboolean _clmrs_demo_awareness_session (Demo *demo, DemoCommunity *community, const char *date, GError **error);
gboolean _clmrs_demo_community_profile (Demo *demo, DemoCommunity *community, GError **error);

G_END_DECLS
