/* rules.h: child labour classification from a national rule set (docs/rules-format.md). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CLMRS_RULES_ERROR (clmrs_rules_error_quark ())

typedef enum {
  CLMRS_RULES_ERROR_NOT_FOUND,    /* no such built-in rule set, or the file cannot be read */
  CLMRS_RULES_ERROR_PARSE,        /* not JSON */
  CLMRS_RULES_ERROR_INVALID,      /* a rule set that breaks the format */
  CLMRS_RULES_ERROR_PROFILE,      /* a child profile with a missing or ill-typed field */
} ClmrsRulesError;

/* The outcome of a classification, most serious first. */
typedef enum {
  CLMRS_STATUS_OUT_OF_SCOPE,
  CLMRS_STATUS_WORST_FORM,
  CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR,
  CLMRS_STATUS_CHILD_LABOUR,
  CLMRS_STATUS_AT_RISK,
  CLMRS_STATUS_NOT_IN_CHILD_LABOUR,
} ClmrsStatus;

/* The recall period whose answers decided a classification. */
typedef enum {
  CLMRS_RECALL_NONE,              /* out of scope: nothing was asked */
  CLMRS_RECALL_7D,
  CLMRS_RECALL_12M,
} ClmrsRecall;

typedef struct _ClmrsRuleSet ClmrsRuleSet;

/* One child's inputs (docs/rules-format.md, "The child profile").  When @in_scope is FALSE only @age
 * was read. */
typedef struct {
  int        age;
  gboolean   in_scope;
  char      *sex;                 /* "male" / "female" */
  gboolean   in_school;
  double     econ_hours_7d;
  double     chores_hours_7d;
  gboolean   night_work_7d;
  GStrv      tasks_7d;
  GStrv      tasks_12m;
  GStrv      hazard_conditions;
  GStrv      abuse;
  GStrv      wfcl_signals;
  gboolean   immediate_danger;
  char      *birth_certificate;   /* "yes" / "no" / "in_process", or NULL when not asked */
  char      *abuse_recall;        /* "12m" or "since_last_visit": the period @abuse was asked about
                                   * (NULL when the profile does not say: the last 12 months) */
  char      *work_injury_12m;     /* the worst injury from work in 12 months: "none", "not_serious",
                                   * "stopped_short", "stopped_completely", or NULL when not asked */
  GStrv      tasks_since_last;    /* follow-ups: tasks since the previous visit, or NULL when not asked */
} ClmrsProfile;

typedef struct {
  char *code;                     /* a reason code (docs/rules-format.md) */
  char *detail;                   /* one sentence a facilitator can read */
  char *item;                     /* the task/condition/abuse/signal code, or NULL */
  gboolean provisional;           /* rests on an entry the rule set marks provisional */
} ClmrsReason;

typedef struct {
  ClmrsStatus  status;
  GPtrArray   *reasons;           /* of ClmrsReason*: every condition that matched */
  char        *rules;             /* "<id>@<version>" */
  ClmrsRecall  recall;
  gboolean     provisional;       /* every reason of the status' tier is provisional */
} ClmrsClassification;

GQuark               clmrs_rules_error_quark          (void);

/* Rule sets */
ClmrsRuleSet        *clmrs_rule_set_load_builtin      (const char          *name,
                                                       GError             **error);
ClmrsRuleSet        *clmrs_rule_set_load_file         (const char          *path,
                                                       GError             **error);
ClmrsRuleSet        *clmrs_rule_set_load_data         (const char          *data,
                                                       gssize               length,
                                                       const char          *origin,
                                                       GError             **error);
GStrv                clmrs_rule_set_list_builtin      (void);
const char          *clmrs_rule_set_get_id            (const ClmrsRuleSet  *rules);
const char          *clmrs_rule_set_get_version       (const ClmrsRuleSet  *rules);
const char          *clmrs_rule_set_get_label         (const ClmrsRuleSet  *rules);
ClmrsRecall          clmrs_rule_set_get_recall        (const ClmrsRuleSet  *rules);
gboolean             clmrs_rule_set_has_code          (const ClmrsRuleSet  *rules,
                                                       const char          *list,
                                                       const char          *code);
void                 clmrs_rule_set_free              (ClmrsRuleSet        *rules);

/* Profiles */
ClmrsProfile        *clmrs_profile_from_json          (JsonObject          *object,
                                                       GError             **error);
ClmrsProfile        *clmrs_profile_from_json_full     (JsonObject          *object,
                                                       const ClmrsRuleSet  *rules,
                                                       char               **error_field,
                                                       GError             **error);
void                 clmrs_profile_free               (ClmrsProfile        *profile);

/* Classification */
/* Whether a child of @age completed years is in the scope of child labour
 * (5 to 17): the one test of scope, the profile's and the household's. */
gboolean             clmrs_age_in_scope               (int                  age);
ClmrsClassification *clmrs_classify                   (const ClmrsRuleSet  *rules,
                                                       const ClmrsProfile  *profile);
gboolean             clmrs_classification_has_reason  (const ClmrsClassification *classification,
                                                       const char          *code,
                                                       const char          *item);
JsonNode            *clmrs_classification_to_json     (const ClmrsClassification *classification);
void                 clmrs_classification_free        (ClmrsClassification *classification);

const char          *clmrs_status_to_string           (ClmrsStatus          status);
gboolean             clmrs_status_from_string         (const char          *text,
                                                       ClmrsStatus         *out);
gboolean             clmrs_status_is_child_labour     (ClmrsStatus          status);
const char          *clmrs_recall_to_string           (ClmrsRecall          recall);
const char * const  *clmrs_reason_codes               (void);

/* Support */
GStrv                clmrs_suggest_supports           (const ClmrsRuleSet  *rules,
                                                       const ClmrsProfile  *profile,
                                                       const ClmrsClassification *classification);
const char          *clmrs_support_type_level         (const char          *code);
const char * const  *clmrs_support_types              (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsRuleSet, clmrs_rule_set_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsProfile, clmrs_profile_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsClassification, clmrs_classification_free)

G_END_DECLS
