/* rules-private.h: what the rule set's loader (rules-load.c), the profile
 * reader (rules-profile.c) and the classifier (rules.c) share. */
#pragma once

#include "rules.h"

G_BEGIN_DECLS

#define RULES_FORMAT      1
#define SCOPE_MIN_AGE     5
#define SCOPE_MAX_AGE     17
#define HOURS_IN_WEEK     168.0
#define MAX_PLAUSIBLE_AGE 130

/* The lists of codes (docs/rules-format.md, `codes`). */
typedef enum {
  LIST_TASKS_HAZARDOUS,
  LIST_TASKS_LIGHT,
  LIST_HAZARD_CONDITIONS,
  LIST_ABUSE,
  LIST_WFCL_SIGNALS,
  N_LISTS
} CodeList;

/* rules.c: the shared codes, which every rule set lists and may add to. */
extern const char * const         _clmrs_rules_list_names[N_LISTS];
extern const char * const         _clmrs_rules_list_nouns[N_LISTS];
extern const char * const         _clmrs_rules_shared_tasks_light[];
extern const char * const * const _clmrs_rules_shared_lists[N_LISTS];
extern const char * const         _clmrs_rules_reason_codes[];

/* Returns: the shared list @code belongs to, or -1. */
int _clmrs_rules_shared_list_of (const char *code);

/* ---------------------------------------------------------------------------
 * The rule set
 * ------------------------------------------------------------------------- */

typedef struct {
  double   hours;
  gboolean strict;                /* TRUE: ">", FALSE: ">=" */
  int      min_age;
  int      max_age;
  gboolean enabled;
} Threshold;

typedef struct {
  GStrv  status;                  /* status names, or NULL: any */
  GStrv  reason;                  /* reason codes, or NULL: any */
  GStrv  item;                    /* codes, or NULL: any */
  int    min_age;                 /* -1: none */
  int    max_age;                 /* -1: none */
  int    in_school;               /* -1: either; 0 out of school; 1 in school */
  GStrv  suggest;
} SupportRule;

struct _ClmrsRuleSet {
  char       *id;
  char       *version;
  char       *label;
  char       *origin;
  GStrv       sources;

  int         min_age_light_work;
  int         min_age_employment;
  int         min_age_hazardous;
  Threshold   below_light_work_age;
  Threshold   light_work_hours;
  gboolean    light_work_list_only;
  Threshold   long_hours;
  Threshold   chores;
  gboolean    night_work_hazardous;
  char       *night_start;        /* "HH:MM" or NULL when the law gives none */
  char       *night_end;
  ClmrsRecall recall;
  Threshold   out_of_school_risk; /* only the ages are used */
  gboolean    no_birth_certificate_risk;

  GPtrArray  *lists[N_LISTS];     /* of char*, in file order */
  GHashTable *codes;              /* code -> list index + 1 */
  GHashTable *permitted;          /* light_work_permitted, a set */
  GHashTable *permitted_from;     /* tasks_permitted_from: hazardous task -> age */
  GHashTable *provisional;        /* "list/code" -> the note saying why it is provisional */
  GPtrArray  *supports;           /* of SupportRule* */
};

/* Whether @code is in @list of @rules. */
static inline gboolean
_clmrs_rules_is_list (const ClmrsRuleSet *rules,
                      const char         *code,
                      CodeList            list)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (rules->codes, code)) == (int) list + 1;
}

/* rules-load.c: strict JSON reading, shared with the profile reader. */
const char *_clmrs_json_node_kind      (JsonNode *node);
gboolean    _clmrs_json_node_is_number (JsonNode *node);
gboolean    _clmrs_json_node_get_int64 (JsonNode *node,
                                        gint64   *out);
gboolean    _clmrs_json_node_is_string (JsonNode *node);
gboolean    _clmrs_json_node_is_bool   (JsonNode *node);

G_END_DECLS
