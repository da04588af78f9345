/* demo.c: realistic synthetic CLMRS data, made through the same forms, rules and store. */
#define G_LOG_DOMAIN "clmrs-demo"

#include "demo.h"

#include "casebook.h"
#include "review.h"
#include "rules.h"
#include "util.h"
#include "visit.h"
#include "xform.h"

#include <string.h>

/*
 * The simulation.  Communities (about 150 households each) are split
 * between Côte d'Ivoire and Ghana and classified with their country's rule
 * set.  Each household is visited once in the first six months of the
 * period (and again a year later for a third of them); each child gets a
 * persona whose work pattern follows the published cocoa figures (about
 * 45% in child labour [S37], [S39], most of it hazardous:
 * heavy loads, sharp tools, land clearing, agro-chemicals).  Children found
 * in child labour get one to four supports chosen from the rules'
 * suggestions within two months, and a follow-up about every six months;
 * at each follow-up about half of them have stopped (ICI: "up to 50%"),
 * some relapse, a few have moved.  Every record goes through the shipped
 * forms (clmrs_form_session_set_answer), the store and the rules, exactly
 * as on a facilitator's device.
 */

static const char * const ci_first_m[] = { "Kouassi", "Yao", "Konan", "Koffi", "Kouadio", "N'Guessan", "Adama", "Moussa", "Seydou", "Ibrahim", "Drissa", "Lassina", "Brou", "Kra", "Aka" };
static const char * const ci_first_f[] = { "Aya", "Amenan", "Affoué", "Akissi", "Adjoua", "Amoin", "Awa", "Fatoumata", "Mariam", "Aminata", "Ahou", "Tanoh", "Mawa", "Salimata", "Kadi" };
static const char * const ci_last[] = { "Kouamé", "Konan", "Yao", "Kouassi", "N'Dri", "Koné", "Traoré", "Ouattara", "Coulibaly", "Bamba", "Gnahoré", "Zadi", "Gbagbo", "Djédjé", "Aka", "Tiémoko" };
static const char * const gh_first_m[] = { "Kwame", "Kofi", "Kwabena", "Kwaku", "Yaw", "Kwasi", "Kojo", "Nana", "Kwadwo", "Ebo", "Fiifi", "Kobina", "Yeboah", "Osei", "Mensah" };
static const char * const gh_first_f[] = { "Ama", "Akua", "Abena", "Adwoa", "Yaa", "Afua", "Esi", "Akosua", "Efua", "Adjoa", "Araba", "Maame", "Afia", "Serwaa", "Dede" };
static const char * const gh_last[] = { "Mensah", "Owusu", "Boateng", "Asante", "Osei", "Agyei", "Appiah", "Adjei", "Darko", "Amponsah", "Frimpong", "Ofori", "Kyei", "Sarpong", "Acheampong", "Opoku" };
static const char * const ci_places[] = { "Kragui", "Djouroutou", "Méagui", "Buyo", "Gueyo", "Okrouyo", "Zakoua", "Niablé", "Daloa-Gbeuliville", "Bonon", "Bouaflé", "Gagnoa-Ouragahio", "Lakota", "Divo-Hiré", "Sassandra-Lobakuya", "San-Pédro-Grand-Béréby" };
static const char * const gh_places[] = { "Asankragwa", "Samreboi", "Bogoso", "Wassa Akropong", "Juaboso", "Sefwi Bekwai", "Enchi", "Bibiani", "Nkawkaw", "Goaso", "Kukuom", "Dunkwa", "Assin Fosu", "Twifo Praso", "Akim Oda", "Konongo" };
static const char * const ci_districts[] = { "Soubré", "Méagui", "Daloa", "Gagnoa", "Divo", "San-Pédro" };
static const char * const gh_districts[] = { "Wassa Amenfi West", "Prestea Huni-Valley", "Juaboso", "Bia West", "Asunafo North", "Upper Denkyira East" };

#define PICK(rand, list) (list[g_rand_int_range ((rand), 0, G_N_ELEMENTS (list))])

static const char * const light_tasks[] = { "planting", "picking_pods_within_reach", "gathering_pods", "fermenting_beans", "drying_beans", "filling_nursery_bags", "fetching_water" };

/* Weighted like the hazards seen in identified cases (Tony's: heavy loads
 * 70-77%, sharp tools 25%, land clearing 22%, agro-chemicals 2-24%). */
static const struct { const char *code; int weight; } hazardous_tasks[] = {
  { "heavy_loads", 40 }, { "machete_weeding", 15 }, { "pod_breaking_machete", 10 },
  { "land_clearing", 10 }, { "agrochemical_application", 6 }, { "present_during_spraying", 6 },
  { "tree_felling", 3 }, { "bush_burning", 2 }, { "climbing_trees", 3 },
  { "long_distance_carrying", 3 }, { "working_alone", 2 },
};

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

static void
demo_reviewable_free (DemoReviewable *reviewable)
{
  g_free (reviewable->visit_id);
  g_free (reviewable);
}

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

static const char *
leaf_name (const char *ref)
{
  const char *slash = strrchr (ref, '/');

  return slash ? slash + 1 : ref;
}

/* The 1-based index of the innermost repeat instance, 0 outside repeats. */
static guint
instance_index (const ClmrsPrompt *prompt)
{
  const char *bracket;

  if (prompt->repeat == NULL || (bracket = strrchr (prompt->repeat, '[')) == NULL)
    return 0;
  return (guint) g_ascii_strtoull (bracket + 1, NULL, 10);
}

static gboolean
has_choice (const ClmrsPrompt *prompt, const char *value)
{
  for (guint i = 0; prompt->choices != NULL && i < prompt->choices->len; i++)
    if (g_str_equal (((ClmrsChoice *) g_ptr_array_index (prompt->choices, i))->value, value))
      return TRUE;
  return FALSE;
}

/* A plausible value for a question the persona says nothing about. */
static char *
default_answer (Demo *demo, const ClmrsPrompt *prompt, const char *date)
{
  switch (prompt->type)
    {
    case CLMRS_TYPE_INT:
    case CLMRS_TYPE_DECIMAL:
      /* counts and distances: small and positive */
      return g_strdup_printf ("%d", g_rand_int_range (demo->rand, 1, 10));
    case CLMRS_TYPE_DATE:
      return g_strdup (date);
    case CLMRS_TYPE_SELECT:
      if (has_choice (prompt, "none"))
        return g_strdup ("none");
      G_GNUC_FALLTHROUGH;
    case CLMRS_TYPE_SELECT1:
      if (has_choice (prompt, "no"))
        return g_strdup ("no");
      if (prompt->choices != NULL && prompt->choices->len > 0)
        {
          guint n = prompt->choices->len;
          const ClmrsChoice *c = g_ptr_array_index (prompt->choices, g_rand_int_range (demo->rand, 0, n));

          if (g_str_equal (c->value, "other") && n > 1)
            c = g_ptr_array_index (prompt->choices, 0);
          return g_strdup (c->value);
        }
      return NULL;
    case CLMRS_TYPE_BOOLEAN:
      return g_strdup ("false");
    case CLMRS_TYPE_GEOPOINT:
    case CLMRS_TYPE_BINARY:   /* the demo takes no photos, walks no field's edge */
    case CLMRS_TYPE_GEOTRACE:
    case CLMRS_TYPE_GEOSHAPE:
      return NULL;
    default:
      return prompt->required ? g_strdup ("-") : NULL;
    }
}

/* Answers every visible unanswered question, pass after pass, until the
 * form shows nothing new: what a facilitator does screen by screen. */
static gboolean
fill (Demo              *demo,
      ClmrsFormSession  *session,
      const char        *visit_id,
      const char        *date,
      AnswerFunc         answer,
      gpointer           user_data,
      GError           **error)
{
  g_autoptr(GHashTable) skipped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint pass = 0; pass < 12; pass++)
    {
      g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (session);
      gboolean changed = FALSE;

      for (guint i = 0; i < prompts->len; i++)
        {
          const ClmrsPrompt *p = g_ptr_array_index (prompts, i);
          const char *leaf;
          const char *given;
          g_autofree char *value = NULL;

          if (p->kind != CLMRS_PROMPT_QUESTION || p->readonly || p->value != NULL ||
              p->control == CLMRS_CONTROL_TRIGGER || g_hash_table_contains (skipped, p->ref))
            continue;
          leaf = leaf_name (p->ref);
          given = answer (p, leaf, instance_index (p), user_data);
          value = given ? g_strdup (given) : default_answer (demo, p, date);
          if (value == NULL || (!p->required && given == NULL && p->type != CLMRS_TYPE_SELECT1 &&
                                p->type != CLMRS_TYPE_SELECT))
            {
              g_hash_table_add (skipped, g_strdup (p->ref));
              continue;
            }
          if (!clmrs_form_session_set_answer (session, p->ref, value, error))
            {
              g_prefix_error (error, "demo answering %s with '%s': ", p->ref, value);
              return FALSE;
            }
          if (demo->autosave &&
              !clmrs_store_draft_save_answer (demo->store, visit_id, p->ref, value, error))
            return FALSE;
          changed = TRUE;
        }
      if (!changed)
        return TRUE;
    }
  return TRUE;
}

/* --- people, places and time --- */

static void
demo_child_free (gpointer data)
{
  DemoChild *c = data;

  g_free (c->id);
  g_free (c->name);
  g_free (c);
}

static void
demo_community_free (gpointer data)
{
  DemoCommunity *c = data;

  g_free (c->id);
  g_free (c->name);
  g_free (c);
}

static void
demo_person_free (gpointer data)
{
  DemoPerson *p = data;

  g_free (p->id);
  g_free (p->name);
  g_free (p);
}

static char *
person_name (Demo *demo, const char *country, const char *sex, const char *surname)
{
  gboolean ci = g_str_equal (country, "ci");
  const char *first = g_str_equal (sex, "female")
                      ? (ci ? PICK (demo->rand, ci_first_f) : PICK (demo->rand, gh_first_f))
                      : (ci ? PICK (demo->rand, ci_first_m) : PICK (demo->rand, gh_first_m));

  if (surname == NULL)
    surname = ci ? PICK (demo->rand, ci_last) : PICK (demo->rand, gh_last);
  return ci ? g_strdup_printf ("%s %s", surname, first) : g_strdup_printf ("%s %s", first, surname);
}

/* Sets the fake clock to @when, never later than the real now. */
static void
clock_set (Demo *demo, gint64 when)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) t = NULL;
  g_autofree char *stamp = NULL;

  /* a visit of today happened before the demo was made, not this evening */
  demo->clock = MIN (when, g_date_time_to_unix (now) - 60);
  t = g_date_time_new_from_unix_utc (demo->clock);
  stamp = g_date_time_format (t, "%Y-%m-%dT%H:%M:%SZ");
  clmrs_clock_set (stamp);
}

/* Sets the clock to a working hour of @date (a visit begins). */
static void
clock_at (Demo *demo, const char *date)
{
  g_autofree char *stamp = g_strdup_printf ("%sT%02d:%02d:%02dZ", date,
                                            g_rand_int_range (demo->rand, 7, 17),
                                            g_rand_int_range (demo->rand, 0, 60),
                                            g_rand_int_range (demo->rand, 0, 60));
  g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (stamp, NULL);

  g_assert (t != NULL);
  clock_set (demo, g_date_time_to_unix (t));
}

/* Moves the clock on by the time a visit takes (it ends). */
static void
clock_advance (Demo *demo)
{
  clock_set (demo, demo->clock + 60 * g_rand_int_range (demo->rand, 12, 55) + g_rand_int_range (demo->rand, 0, 60));
}

char *
clmrs_demo_facilitator_pin (guint index)
{
  return g_strdup_printf ("%06u", 100000 + index * 11111 % 900000);
}

/* --- visits --- */

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

static const char *
yes_no (gboolean value)
{
  return value ? "yes" : "no";
}

static int
age_at (const DemoChild *child, const char *date)
{
  GDate on;

  clmrs_date_parse (date, &on);
  return clmrs_age_on (&child->dob, &on);
}

/* The questions about one child's school and work, from the persona. */
static const char *
answer_child (Visit *v, DemoChild *c, const ClmrsPrompt *p, const char *leaf)
{
  Demo *demo = v->demo;
  GRand *r = demo->rand;
  int age = age_at (c, v->date);
  /* at home, the adults answer for a child they keep from the visit:
   * no work (a farm visit sees it) */
  gboolean denied = c->hidden_at_home && !v->at_farm && v->child == NULL;

  if (g_str_equal (leaf, "name"))
    return c->name;
  if (g_str_equal (leaf, "sex"))
    return c->sex;
  if (g_str_equal (leaf, "age"))
    {
      g_snprintf (v->scratch, sizeof v->scratch, "%d", age);
      return v->scratch;
    }
  if (g_str_equal (leaf, "dob"))
    {
      g_autofree char *dob = clmrs_date_format (&c->dob);
      /* a third of the children have a known date of birth */
      if (g_rand_int_range (r, 0, 3) != 0)
        return NULL;
      g_strlcpy (v->scratch, dob, sizeof v->scratch);
      return v->scratch;
    }
  if (g_str_equal (leaf, "present"))
    {
      c->here = !denied && g_rand_int_range (r, 0, 10) < 8;
      return yes_no (c->here);
    }
  if (g_str_equal (leaf, "lives_here"))
    return "yes";
  if (g_str_equal (leaf, "assent"))
    return "yes";
  if (g_str_equal (leaf, "respondent"))
    {
      /* a follow-up asks only about a child found there */
      gboolean here = v->child_status != NULL ? g_str_equal (v->child_status, "present") : c->here;

      if (!here)
        return "adult";
      return g_rand_int_range (r, 0, 3) == 0 ? "child" : "child_and_adult";
    }
  if (g_str_equal (leaf, "birth_certificate"))
    return c->birth_certificate;
  if (g_str_equal (leaf, "in_school"))
    return yes_no (c->in_school);
  if (g_str_equal (leaf, "ever_school"))
    return yes_no (g_rand_boolean (r));
  if (g_str_equal (leaf, "days_missed"))
    return g_rand_int_range (r, 0, 4) == 0 ? "2" : "0";
  if (g_str_equal (leaf, "worked_7d"))
    return yes_no (c->work != WORK_NONE && !denied);
  if (g_str_equal (leaf, "hours_7d"))
    {
      double hours;

      switch (c->work)
        {
        case WORK_LIGHT:
          hours = g_rand_int_range (r, 2, 10);
          break;
        case WORK_UNDERAGE:
          hours = age < 12 ? g_rand_int_range (r, 2, 14) : g_rand_int_range (r, 15, 30);
          break;
        case WORK_HAZARDOUS:
        case WORK_WORST:
          hours = g_rand_int_range (r, 6, 45);
          break;
        default:
          hours = 0;
        }
      g_snprintf (v->scratch, sizeof v->scratch, "%g", hours);
      return v->scratch;
    }
  /* a follow-up's tasks since the last visit: as the 12 months (seasonal
   * hazardous tasks come back between visits for some children) */
  if (g_str_equal (leaf, "tasks_7d") || g_str_equal (leaf, "tasks_12m") ||
      g_str_equal (leaf, "tasks_since_last") || g_str_equal (leaf, "tasks_seen"))
    {
      GString *s;
      gboolean year = !g_str_equal (leaf, "tasks_7d") && !g_str_equal (leaf, "tasks_seen");

      if (denied)
        return has_choice (p, "none") ? "none" : NULL;
      s = g_string_new (NULL);
      if (c->work == WORK_LIGHT || c->work == WORK_UNDERAGE ||
          ((c->work == WORK_HAZARDOUS || c->work == WORK_WORST) && g_rand_boolean (r)))
        g_string_append (s, PICK (r, light_tasks));
      if (c->work == WORK_HAZARDOUS || c->work == WORK_WORST ||
          (year && c->work != WORK_NONE && g_rand_int_range (r, 0, 5) == 0))
        {
          int total = 0, pick;

          for (guint i = 0; i < G_N_ELEMENTS (hazardous_tasks); i++)
            total += hazardous_tasks[i].weight;
          pick = g_rand_int_range (r, 0, total);
          for (guint i = 0; i < G_N_ELEMENTS (hazardous_tasks); i++)
            if ((pick -= hazardous_tasks[i].weight) < 0)
              {
                if (s->len)
                  g_string_append_c (s, ' ');
                g_string_append (s, hazardous_tasks[i].code);
                break;
              }
        }
      if (s->len == 0)
        g_string_append (s, "none");
      g_strlcpy (v->scratch, s->str, sizeof v->scratch);
      g_string_free (s, TRUE);
      return v->scratch;
    }
  if (g_str_equal (leaf, "night_work"))
    return yes_no (c->work >= WORK_HAZARDOUS && g_rand_int_range (r, 0, 8) == 0);
  if (g_str_equal (leaf, "hazard_conditions"))
    {
      if (c->work >= WORK_HAZARDOUS && g_rand_int_range (r, 0, 3) == 0)
        return g_rand_boolean (r) ? "dangerous_tools" : "extreme_temperature";
      return has_choice (p, "none") ? "none" : NULL;
    }
  if (g_str_equal (leaf, "injured_12m"))
    return yes_no (c->work >= WORK_HAZARDOUS && g_rand_int_range (r, 0, 5) == 0);
  if (g_str_equal (leaf, "abuse"))
    {
      if (c->work >= WORK_HAZARDOUS && g_rand_int_range (r, 0, 20) == 0)
        return "shouted_at";
      return has_choice (p, "none") ? "none" : NULL;
    }
  if (g_str_equal (leaf, "chores_hours_7d"))
    {
      int hours = g_rand_int_range (r, 0, 100) < 3 ? g_rand_int_range (r, 22, 30) : g_rand_int_range (r, 0, 15);
      g_snprintf (v->scratch, sizeof v->scratch, "%d", hours);
      return v->scratch;
    }
  if (g_str_equal (leaf, "brought_for_work"))
    return yes_no (c->work == WORK_WORST);
  if (g_str_equal (leaf, "immediate_danger"))
    return yes_no (c->work == WORK_WORST);
  if (g_str_equal (leaf, "immediate_danger_why"))
    return "Brought from another village to work on the farm";
  return NULL;
}

static const char *
answer_visit (const ClmrsPrompt *p,
              const char        *leaf,
              guint              instance,
              gpointer           user_data)
{
  Visit *v = user_data;

  if (g_str_equal (leaf, "visit_date") || g_str_equal (leaf, "date"))
    return v->date;
  if (g_str_equal (leaf, "head_name"))
    return v->head_name;
  if (g_str_equal (leaf, "head_sex"))
    return v->head_sex;
  if (g_str_equal (leaf, "consent"))
    return "yes";
  if (g_str_equal (leaf, "children_found"))
    return yes_no (v->children != NULL && v->children->len > 0);
  if (g_str_equal (leaf, "adults_present"))
    return "yes";
  if (g_str_equal (leaf, "child_status"))
    return v->child_status;
  if (g_str_equal (leaf, "closure_reason"))
    return v->closure_reason;
  if (g_str_equal (leaf, "moved_where"))
    return "To another region with the family";
  if (g_str_equal (leaf, "source"))
    return "A neighbour";
  if (g_str_equal (leaf, "support_received"))
    {
      g_autofree char *joined = v->support_received && v->support_received[0]
                                ? g_strjoinv (" ", v->support_received) : NULL;
      if (joined == NULL)
        return has_choice (p, "none") ? "none" : NULL;
      g_strlcpy (v->scratch, joined, sizeof v->scratch);
      return v->scratch;
    }
  if (g_str_equal (leaf, "level") && v->support_level != NULL)
    return v->support_level;
  if (g_str_equal (leaf, "support_type"))
    return v->support_type;
  if (g_str_equal (leaf, "state"))
    return "delivered";
  if (g_str_equal (leaf, "provider"))
    return "Cooperative CLMRS team";
  if (g_str_equal (leaf, "quantity"))
    return "1";
  if (v->child != NULL)
    return answer_child (v, v->child, p, leaf);
  if (v->children != NULL && instance >= 1 && instance <= v->children->len)
    return answer_child (v, g_ptr_array_index (v->children, instance - 1), p, leaf);
  return NULL;
}

/* Opens a session of @form with its hidden fields pre-filled. */
static ClmrsFormSession *
open_session (Demo        *demo,
              ClmrsForm   *form,
              Visit       *v,
              JsonObject  *extra,   /* (transfer full) (nullable): more prefill */
              GError     **error)
{
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(JsonNode) prefill = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = extra ? extra : json_object_new ();

  /* the visit starts now: the form's start preload reads the clock */
  clock_at (demo, v->date);
  session = clmrs_form_session_new (form, error);
  if (session == NULL)
    return NULL;
  json_object_set_string_member (o, "facilitator_id", v->facilitator->id);
  json_object_set_string_member (o, "facilitator_name", v->facilitator->name);
  json_object_set_string_member (o, "facilitator_sex", v->facilitator->sex);
  json_node_take_object (prefill, o);
  if (!clmrs_form_session_load_json (session, prefill, error))
    return NULL;
  return g_steal_pointer (&session);
}

static const ClmrsRuleSet *
rules_for (Demo *demo, DemoCommunity *community)
{
  return g_str_equal (community->country, "ci") ? demo->rules_ci : demo->rules_gh;
}

/* Draft, fill and finalise one visit; the result describes the children. */
static ClmrsFinaliseResult *
run_visit (Demo              *demo,
           const char        *kind,
           ClmrsForm         *form,
           ClmrsFormSession  *session,
           Visit             *v,
           const char        *household_id,
           const char        *child_id,
           GError           **error)
{
  g_autofree char *visit_id = NULL;
  ClmrsFinaliseResult *result = NULL;

  clock_advance (demo);
  visit_id = clmrs_store_draft_create (demo->store, kind, clmrs_form_get_id (form),
                                       clmrs_form_get_version (form), v->facilitator->id,
                                       v->community->id, household_id, child_id, error);
  if (visit_id == NULL)
    return NULL;
  if (demo->autosave)
    {
      /* what the session holds before the first answer: prefill, roster */
      g_autoptr(GPtrArray) values = clmrs_form_session_list_values (session);
      if (!clmrs_store_draft_save_all (demo->store, visit_id, values, error))
        return NULL;
    }
  if (!fill (demo, session, visit_id, v->date, answer_visit, v, error))
    return NULL;
  if (!clmrs_visit_finalise (demo->store, visit_id, session, rules_for (demo, v->community),
                             v->date, &result, error))
    return NULL;
  demo->report->records_queued += result->records_queued;
  if (g_rand_int_range (demo->rand, 0, 40) == 0)
    {
      DemoReviewable *reviewable = g_new0 (DemoReviewable, 1);

      reviewable->visit_id = g_strdup (visit_id);
      g_ptr_array_add (demo->reviewable, reviewable);
    }
  return result;
}

static gboolean
record_support (Demo        *demo,
                Visit       *parent,
                const char  *household_id,
                DemoChild   *child,
                const char  *type,
                const char  *date,
                GError     **error)
{
  const char *level = clmrs_support_type_level (type);
  Visit v = { .demo = demo, .date = date, .community = parent->community,
              .facilitator = parent->facilitator, .support_type = type };
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  JsonObject *support = json_object_new ();
  JsonObject *extra = json_object_new ();

  v.support_level = g_strcmp0 (level, "referral") == 0 ? "child" : level;
  json_object_set_string_member (support, "community_id", parent->community->id);
  json_object_set_string_member (support, "household_id", household_id);
  json_object_set_string_member (support, "child_id",
                                 child && g_str_equal (v.support_level, "child") ? child->id : "");
  json_object_set_object_member (extra, "support", support);
  session = open_session (demo, demo->support_form, &v, extra, error);
  if (session == NULL)
    return FALSE;
  result = run_visit (demo, "support", demo->support_form, session, &v, household_id,
                      child && g_str_equal (v.support_level, "child") ? child->id : NULL, error);
  if (result == NULL)
    return FALSE;
  demo->report->supports++;
  return TRUE;
}

/* One to four supports from the rules' suggestions, within two months. */
static gboolean
support_children (Demo                *demo,
                  Visit               *v,
                  const char          *household_id,
                  ClmrsFinaliseResult *result,
                  GError             **error)
{
  gboolean household_helped = FALSE;

  for (guint i = 0; i < result->children->len; i++)
    {
      const ClmrsChildOutcome *o = g_ptr_array_index (result->children, i);
      DemoChild *child = NULL;
      guint n, given = 0;

      if (!clmrs_status_is_child_labour (o->status))
        continue;
      for (guint j = 0; v->children && j < v->children->len; j++)
        if (g_str_equal (((DemoChild *) g_ptr_array_index (v->children, j))->id, o->child_id))
          child = g_ptr_array_index (v->children, j);
      if (child == NULL && v->child != NULL && g_str_equal (v->child->id, o->child_id))
        child = v->child;
      if (child == NULL || g_rand_int_range (demo->rand, 0, 50) == 0)
        continue;  /* about 2% get no support: coverage is never 100% */

      n = o->suggestions ? g_strv_length (o->suggestions) : 0;
      for (guint k = 0; k < n && given < (guint) g_rand_int_range (demo->rand, 1, 5); k++)
        {
          const char *type = o->suggestions[(k + g_rand_int_range (demo->rand, 0, n)) % n];
          const char *level = clmrs_support_type_level (type);
          g_autofree char *date = NULL;
          GDate on;

          if (level == NULL || g_str_equal (level, "community") ||
              (g_str_equal (level, "household") && household_helped))
            continue;
          clmrs_date_parse (v->date, &on);
          g_date_add_days (&on, g_rand_int_range (demo->rand, 0, 60));
          if (g_date_compare (&on, &demo->until) > 0)
            on = demo->until;
          date = clmrs_date_format (&on);
          if (!record_support (demo, v, household_id, child, type, date, error))
            return FALSE;
          household_helped |= g_str_equal (level, "household");
          given++;
        }
    }
  return TRUE;
}

static ClmrsFinaliseResult *
household_visit (Demo           *demo,
                 DemoCommunity  *community,
                 const char     *household_id,
                 const char     *head_name,
                 const char     *head_sex,
                 GPtrArray      *children,
                 gboolean        known_children,
                 const char     *date,
                 GError        **error)
{
  Visit v = { .demo = demo, .date = date, .community = community,
              .facilitator = g_ptr_array_index (demo->facilitators, community->facilitator),
              .head_name = head_name, .head_sex = head_sex, .children = children };
  g_autoptr(ClmrsFormSession) session = NULL;
  JsonObject *extra = json_object_new ();
  JsonObject *household = json_object_new ();
  ClmrsFinaliseResult *result;

  json_object_set_string_member (household, "household_id", household_id ? household_id : "");
  json_object_set_string_member (household, "community_id", community->id);
  json_object_set_object_member (extra, "household", household);
  if (known_children)
    {
      JsonArray *roster = json_array_new ();
      JsonObject *wrapper = json_object_new ();

      for (guint i = 0; i < children->len; i++)
        {
          JsonObject *c = json_object_new ();
          json_object_set_string_member (c, "child_id", ((DemoChild *) g_ptr_array_index (children, i))->id);
          json_array_add_object_element (roster, c);
        }
      json_object_set_array_member (wrapper, "child", roster);
      json_object_set_object_member (extra, "children", wrapper);
    }
  session = open_session (demo, demo->household_form, &v, extra, error);
  if (session == NULL)
    return NULL;
  if (!known_children)
    for (guint i = 0; i < children->len; i++)
      {
        g_autofree char *ref = clmrs_form_session_add_repeat (session, "/household_visit/children/child", error);
        if (ref == NULL)
          return NULL;
      }
  result = run_visit (demo, "household", demo->household_form, session, &v, household_id, NULL, error);
  if (result == NULL)
    return NULL;
  demo->report->household_visits++;
  /* the store gave new children their ids */
  for (guint i = 0; i < result->children->len && i < children->len; i++)
    {
      DemoChild *c = g_ptr_array_index (children, i);
      const ClmrsChildOutcome *o = g_ptr_array_index (result->children, i);

      if (c->id == NULL)
        c->id = g_strdup (o->child_id);
    }
  if (!support_children (demo, &v, result->household_id, result, error))
    {
      clmrs_finalise_result_free (result);
      return NULL;
    }
  return result;
}

/* At each follow-up about half stop; a few relapse; a few move away. */
static void
evolve (Demo *demo, DemoChild *c)
{
  GRand *r = demo->rand;

  if (c->work >= WORK_UNDERAGE)
    {
      if (g_rand_int_range (r, 0, 100) < 50)
        c->work = g_rand_boolean (r) ? WORK_NONE : WORK_LIGHT;
    }
  else if (g_rand_int_range (r, 0, 100) < 8)
    c->work = g_rand_boolean (r) ? WORK_HAZARDOUS : WORK_UNDERAGE;
  c->in_school = c->in_school || g_rand_int_range (r, 0, 3) == 0;
  if (g_str_equal (c->birth_certificate, "in_process"))
    c->birth_certificate = "yes";
}

/* A visit about one known child (a follow-up, a closure), the child
 * pre-filled as the app does. */
static ClmrsFinaliseResult *
run_child_visit (Demo        *demo,
                 const char  *kind,
                 ClmrsForm   *form,
                 Visit       *v,
                 const char  *household_id,
                 DemoChild   *child,
                 GError     **error)
{
  g_autoptr(ClmrsFormSession) session = NULL;
  JsonObject *extra = json_object_new ();
  JsonObject *c = json_object_new ();

  json_object_set_string_member (c, "child_id", child->id);
  json_object_set_string_member (c, "household_id", household_id);
  json_object_set_string_member (c, "name", child->name);
  json_object_set_object_member (extra, "child", c);
  session = open_session (demo, form, v, extra, error);
  if (session == NULL)
    return NULL;
  return run_visit (demo, kind, form, session, v, household_id, child->id, error);
}

static gboolean
follow_up (Demo          *demo,
           DemoCommunity *community,
           const char    *household_id,
           DemoChild     *child,
           const char    *date,
           GError       **error)
{
  Visit v = { .demo = demo, .date = date, .community = community,
              .facilitator = g_ptr_array_index (demo->facilitators, community->facilitator),
              .child = child };
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  int roll = g_rand_int_range (demo->rand, 0, 100);

  v.child_status = roll < 2 ? "moved" : roll < 3 ? "lost" : "present";
  child->moved = g_str_equal (v.child_status, "moved");
  if (!g_str_equal (v.child_status, "present"))
    child->gone = TRUE;
  else if (!child->back_at_work)
    evolve (demo, child);
  child->back_at_work = FALSE;

  result = run_child_visit (demo, "follow_up", demo->follow_up_form, &v, household_id, child, error);
  if (result == NULL)
    return FALSE;
  demo->report->follow_ups++;
  for (guint i = 0; i < result->children->len; i++)
    {
      const ClmrsChildOutcome *o = g_ptr_array_index (result->children, i);

      if (clmrs_status_is_child_labour (o->status))
        {
          child->clean_run = 0;
          child->exited = FALSE;
        }
      else if (++child->clean_run >= 2)
        child->exited = TRUE;
    }
  return support_children (demo, &v, household_id, result, error);
}

/* The case of a child who moved away for good is closed (case_closure.xml). */
static gboolean
close_case (Demo          *demo,
            DemoCommunity *community,
            const char    *household_id,
            DemoChild     *child,
            const char    *date,
            GError       **error)
{
  Visit v = { .demo = demo, .date = date, .community = community,
              .facilitator = g_ptr_array_index (demo->facilitators, community->facilitator),
              .closure_reason = "moved_out" };
  g_autoptr(ClmrsFinaliseResult) result = NULL;

  result = run_child_visit (demo, "closure", demo->closure_form, &v, household_id, child, error);
  if (result == NULL)
    return FALSE;
  demo->report->closures++;
  return TRUE;
}

/* A farm visit (farm_visit.xml) of the household's farm a few weeks after
 * its first visit: the facilitator finds @found at work there, among them
 * the children the adults said did no work, and identifies them as ICI's
 * farm visits do; each child's outcome is marked on the child. */
static gboolean
farm_visit (Demo          *demo,
            DemoCommunity *community,
            const char    *household_id,
            GPtrArray     *found,
            const char    *date,
            GError       **error)
{
  Visit v = { .demo = demo, .date = date, .community = community,
              .facilitator = g_ptr_array_index (demo->facilitators, community->facilitator),
              .children = found, .at_farm = TRUE };
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;

  session = open_session (demo, demo->farm_form, &v, NULL, error);
  if (session == NULL)
    return FALSE;
  for (guint i = 0; i < found->len; i++)
    {
      g_autofree char *ref = clmrs_form_session_add_repeat (session, "/farm_visit/children/child", error);

      if (ref == NULL)
        return FALSE;
      ((DemoChild *) g_ptr_array_index (found, i))->here = TRUE;
    }
  result = run_visit (demo, "farm", demo->farm_form, session, &v, household_id, NULL, error);
  if (result == NULL)
    return FALSE;
  demo->report->farm_visits++;
  for (guint i = 0; i < result->children->len && i < found->len; i++)
    {
      const ClmrsChildOutcome *o = g_ptr_array_index (result->children, i);
      DemoChild *c = g_ptr_array_index (found, i);

      c->identified |= clmrs_status_is_child_labour (o->status);
      c->hidden_at_home = FALSE;
    }
  return support_children (demo, &v, household_id, result, error);
}

static DemoChild *
new_child (Demo *demo, const char *country, const char *surname, const GDate *visit)
{
  DemoChild *c = g_new0 (DemoChild, 1);
  GRand *r = demo->rand;
  int age = g_rand_int_range (r, 0, 100) < 8 ? g_rand_int_range (r, 2, 5)
          : g_rand_int_range (r, 0, 100) < 4 ? g_rand_int_range (r, 18, 20)
          : g_rand_int_range (r, 5, 18);
  int roll = g_rand_int_range (r, 0, 1000);

  c->sex = g_rand_boolean (r) ? "male" : "female";
  c->name = person_name (demo, country, c->sex, surname);
  c->dob = *visit;
  g_date_subtract_years (&c->dob, age);
  g_date_subtract_days (&c->dob, g_rand_int_range (r, 1, 364));
  c->in_school = g_rand_int_range (r, 0, 100) < 78;
  c->birth_certificate = g_rand_int_range (r, 0, 100) < 70 ? "yes" : g_rand_boolean (r) ? "no" : "in_process";
  /* NORC 2018/19: about 45% in child labour, nearly all of it hazardous */
  if (age < 5 || age > 17)
    c->work = WORK_NONE;
  else if (roll < 4)
    c->work = WORK_WORST;
  else if (roll < 380)
    c->work = WORK_HAZARDOUS;
  else if (roll < 450)
    c->work = WORK_UNDERAGE;
  else if (roll < 650 && age >= 13)
    c->work = WORK_LIGHT;
  else
    c->work = WORK_NONE;
  return c;
}

/* A household's two years: identification, supports, follow-ups, revisit. */
static gboolean
name_taken (GPtrArray  *children,
            const char *head_name,
            const char *name)
{
  if (g_str_equal (head_name, name))
    return TRUE;
  for (guint i = 0; i < children->len; i++)
    if (g_str_equal (((DemoChild *) g_ptr_array_index (children, i))->name, name))
      return TRUE;
  return FALSE;
}

static gboolean
simulate_household (Demo          *demo,
                    DemoCommunity *community,
                    GError       **error)
{
  GRand *r = demo->rand;
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (demo_child_free);
  const char *head_sex = g_rand_int_range (r, 0, 100) < 80 ? "male" : "female";
  g_autofree char *head_name = person_name (demo, community->country, head_sex, NULL);
  g_autofree char *surname = g_strdup (head_name);
  g_autofree char *first_date = NULL;
  g_autofree char *household_id = NULL;
  g_autoptr(ClmrsFinaliseResult) first = NULL;
  guint n_children = g_rand_int_range (r, 1, 6);
  gboolean farm;
  GDate visit;

  *strchr (surname, ' ') = '\0';
  if (g_str_equal (community->country, "gh"))
    {
      g_free (surname);
      surname = g_strdup (strrchr (head_name, ' ') + 1);
    }
  visit = demo->start;
  g_date_add_days (&visit, g_rand_int_range (r, 0, 180));
  first_date = clmrs_date_format (&visit);
  for (guint i = 0; i < n_children; i++)
    {
      DemoChild *child = new_child (demo, community->country, surname, &visit);

      /* brothers and sisters have different first names (a few tries: the
       * lists are long enough) */
      for (guint tries = 0; tries < 8 && name_taken (children, head_name, child->name); tries++)
        {
          g_free (child->name);
          child->name = person_name (demo, community->country, child->sex, surname);
        }
      g_ptr_array_add (children, child);
    }

  /* two households in five get a farm visit; there the adults keep half
   * the working children out of the household visit ("no work"), so
   * farm visits make about a fifth of the identifications, as in ICI's
   * cooperatives [S45] */
  farm = g_rand_int_range (r, 0, 5) < 2;
  for (guint i = 0; farm && i < children->len; i++)
    {
      DemoChild *c = g_ptr_array_index (children, i);

      c->hidden_at_home = c->work >= WORK_UNDERAGE && g_rand_boolean (r);
    }
  first = household_visit (demo, community, NULL, head_name, head_sex, children, FALSE, first_date, error);
  if (first == NULL)
    return FALSE;
  household_id = g_strdup (first->household_id);
  demo->report->households++;
  demo->report->children += children->len;
  for (guint i = 0; i < first->children->len; i++)
    {
      const ClmrsChildOutcome *o = g_ptr_array_index (first->children, i);
      ((DemoChild *) g_ptr_array_index (children, i))->identified = clmrs_status_is_child_labour (o->status);
    }

  /* the farm visit, two to six weeks later: the children at work there */
  if (farm)
    {
      g_autoptr(GPtrArray) found = g_ptr_array_new ();
      GDate on = visit;
      g_autofree char *date = NULL;

      g_date_add_days (&on, g_rand_int_range (r, 14, 43));
      for (guint i = 0; i < children->len; i++)
        {
          DemoChild *c = g_ptr_array_index (children, i);
          int age = age_at (c, first_date);

          if (c->work != WORK_NONE && age >= 5 && age <= 17)
            g_ptr_array_add (found, c);
        }
      date = clmrs_date_format (&on);
      if (found->len > 0 && g_date_compare (&on, &demo->until) <= 0 &&
          !farm_visit (demo, community, household_id, found, date, error))
        return FALSE;
    }

  /* follow-ups of the identified children, every ~6 months; one in
   * twelve comes a season late (a missed window: the run restarts); after
   * an exit, a visit a year until 18, or after six months for one child in
   * five found back at work (a relapse, reported by the community); a move
   * away closes the case most times */
  for (guint i = 0; i < children->len; i++)
    {
      DemoChild *c = g_ptr_array_index (children, i);
      GDate next = visit;

      if (!c->identified)
        continue;
      for (;;)
        {
          g_autofree char *date = NULL;

          /* back at work: the community tells the facilitator, who comes early */
          c->back_at_work = c->exited && g_rand_int_range (r, 0, 5) == 0;
          g_date_add_months (&next, c->back_at_work ? 6 : c->exited ? 12
                                    : g_rand_int_range (r, 0, 12) == 0 ? 10 : 6);
          g_date_add_days (&next, g_rand_int_range (r, 0, 40));
          if (g_date_compare (&next, &demo->until) > 0 ||
              age_at (c, date = clmrs_date_format (&next)) >= 18)
            break;
          if (c->gone)
            {
              if (c->moved && g_rand_int_range (r, 0, 3) > 0 &&
                  !close_case (demo, community, household_id, c, date, error))
                return FALSE;
              break;
            }
          if (c->back_at_work)
            c->work = WORK_HAZARDOUS;
          if (!follow_up (demo, community, household_id, c, date, error))
            return FALSE;
        }
    }

  /* a third of households are visited again about a year later */
  if (g_rand_int_range (r, 0, 3) == 0)
    {
      GDate again = visit;
      g_autofree char *date = NULL;
      g_autoptr(ClmrsFinaliseResult) second = NULL;

      g_date_add_months (&again, 12);
      g_date_add_days (&again, g_rand_int_range (r, 0, 60));
      if (g_date_compare (&again, &demo->until) <= 0)
        {
          g_autoptr(GPtrArray) present = g_ptr_array_new ();

          date = clmrs_date_format (&again);
          for (guint i = 0; i < children->len; i++)
            {
              DemoChild *c = g_ptr_array_index (children, i);
              if (!c->gone)
                {
                  evolve (demo, c);
                  g_ptr_array_add (present, c);
                }
            }
          if (present->len > 0)
            {
              second = household_visit (demo, community, household_id, head_name, head_sex,
                                        present, TRUE, date, error);
              if (second == NULL)
                return FALSE;
            }
        }
    }
  return TRUE;
}

static gboolean
awareness_session (Demo          *demo,
                   DemoCommunity *community,
                   const char    *date,
                   GError       **error)
{
  Visit v = { .demo = demo, .date = date, .community = community,
              .facilitator = g_ptr_array_index (demo->facilitators, community->facilitator) };
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  JsonObject *extra = json_object_new ();
  JsonObject *s = json_object_new ();
  const char *levels[] = { "community", "community", "school" };
  char *counts[4] = { NULL };
  const char *names[] = { "men", "women", "boys", "girls" };

  json_object_set_string_member (s, "community_id", community->id);
  json_object_set_object_member (extra, "session", s);
  session = open_session (demo, demo->awareness_form, &v, extra, error);
  if (session == NULL)
    return FALSE;
  v.support_level = levels[g_rand_int_range (demo->rand, 0, G_N_ELEMENTS (levels))];
  /* participants are answered first so the total constraint holds */
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *ref = g_strdup_printf ("/awareness_session/session/participants/%s", names[i]);
      gboolean school = g_str_equal (v.support_level, "school");

      counts[i] = g_strdup_printf ("%d", g_rand_int_range (demo->rand, school && i < 2 ? 0 : 3,
                                                             school && i < 2 ? 3 : 30));
      if (!clmrs_form_session_set_answer (session, ref, counts[i], error))
        return FALSE;
    }
  for (guint i = 0; i < 4; i++)
    g_free (counts[i]);
  result = run_visit (demo, "awareness", demo->awareness_form, session, &v, NULL, NULL, error);
  if (result == NULL)
    return FALSE;
  demo->report->awareness_sessions++;
  return TRUE;
}

static gboolean
community_profile (Demo          *demo,
                   DemoCommunity *community,
                   GError       **error)
{
  g_autofree char *date = clmrs_date_format (&demo->start);
  Visit v = { .demo = demo, .date = date, .community = community,
              .facilitator = g_ptr_array_index (demo->facilitators, community->facilitator) };
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  JsonObject *extra = json_object_new ();
  JsonObject *c = json_object_new ();

  json_object_set_string_member (c, "community_id", community->id);
  json_object_set_string_member (c, "name", community->name);
  json_object_set_string_member (c, "district", community->district);
  json_object_set_string_member (c, "country", community->country);
  json_object_set_string_member (c, "cooperative",
                                 g_str_equal (community->country, "ci") ? "SCOOP Soubré Espoir" : "Kuapa Kokoo society");
  json_object_set_object_member (extra, "community", c);
  session = open_session (demo, demo->community_form, &v, extra, error);
  if (session == NULL)
    return FALSE;
  result = run_visit (demo, "community", demo->community_form, session, &v, NULL, NULL, error);
  return result != NULL;
}

/* The meta key that marks demo data, and its value. */
#define DEMO_META_KEY "demo_data"
#define DEMO_META_VALUE "clmrs demo"

gboolean
clmrs_demo_store_is_demo (ClmrsStore *store)
{
  g_autofree char *mark = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (store != NULL, FALSE);

  /* unreadable: not known to be demo data, so treated as a device's own */
  if (!clmrs_store_get_meta (store, DEMO_META_KEY, &mark, &error))
    g_warning ("Could not tell whether %s holds demo data: %s", clmrs_store_get_path (store), error->message);
  return g_strcmp0 (mark, DEMO_META_VALUE) == 0;
}

/* How many records @store holds: people and places too, so a device set
 * up with `clmrs init` counts as a real one. */
static gint64
count_records (ClmrsStore  *store,
               GError     **error)
{
  sqlite3_stmt *stmt = clmrs_store_prepare (store,
      "SELECT (SELECT count (*) FROM communities) + (SELECT count (*) FROM facilitators)"
      " + (SELECT count (*) FROM households) + (SELECT count (*) FROM children)"
      " + (SELECT count (*) FROM visits) + (SELECT count (*) FROM outbox)", error);
  gint64 n = -1;

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_SQLITE, "counting the records: %s",
                 sqlite3_errmsg (clmrs_store_get_db (store)));
  sqlite3_finalize (stmt);
  return n;
}

/* Demo data never mixes with a device's own: a record made up next to a
 * real child's would be counted, followed up and sent as one. */
static gboolean
check_can_hold_demo (ClmrsStore  *store,
                     GError     **error)
{
  g_autofree char *token = NULL;
  g_autofree char *server_device = NULL;
  gint64 n;

  if (!clmrs_store_get_meta (store, "sync_token", &token, error) ||
      !clmrs_store_get_meta (store, "server_device_id", &server_device, error))
    return FALSE;
  if ((token != NULL && *token != '\0') || server_device != NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                   "%s is enrolled with a server: demo data never goes into a device's database "
                   "(make it in a new one: clmrs --db demo.db demo)", clmrs_store_get_path (store));
      return FALSE;
    }
  n = count_records (store, error);
  if (n < 0)
    return FALSE;
  if (n > 0)
    {
      if (clmrs_demo_store_is_demo (store))
        g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                     "%s already holds demo data: demo data goes into a new database",
                     clmrs_store_get_path (store));
      else
        g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_STATE,
                     "%s holds records that are not demo data: demo data goes into a new database",
                     clmrs_store_get_path (store));
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_assets (Demo *demo, GError **error)
{
  return (demo->household_form = clmrs_form_load_builtin ("household_visit", error)) != NULL &&
         (demo->follow_up_form = clmrs_form_load_builtin ("follow_up_visit", error)) != NULL &&
         (demo->closure_form = clmrs_form_load_builtin ("case_closure", error)) != NULL &&
         (demo->farm_form = clmrs_form_load_builtin ("farm_visit", error)) != NULL &&
         (demo->support_form = clmrs_form_load_builtin ("support_record", error)) != NULL &&
         (demo->awareness_form = clmrs_form_load_builtin ("awareness_session", error)) != NULL &&
         (demo->community_form = clmrs_form_load_builtin ("community_profile", error)) != NULL &&
         (demo->rules_ci = clmrs_rule_set_load_builtin ("ci", error)) != NULL &&
         (demo->rules_gh = clmrs_rule_set_load_builtin ("gh", error)) != NULL;
}

/* What load_assets() loaded: one list, so a form added there is freed
 * on every path (the closure form leaked from clmrs_demo_household_visit). */
static void
free_assets (Demo *demo)
{
  g_clear_pointer (&demo->household_form, clmrs_form_unref);
  g_clear_pointer (&demo->follow_up_form, clmrs_form_unref);
  g_clear_pointer (&demo->closure_form, clmrs_form_unref);
  g_clear_pointer (&demo->farm_form, clmrs_form_unref);
  g_clear_pointer (&demo->support_form, clmrs_form_unref);
  g_clear_pointer (&demo->awareness_form, clmrs_form_unref);
  g_clear_pointer (&demo->community_form, clmrs_form_unref);
  g_clear_pointer (&demo->rules_ci, clmrs_rule_set_free);
  g_clear_pointer (&demo->rules_gh, clmrs_rule_set_free);
}

static gboolean
make_people_and_places (Demo *demo, guint n_communities, GError **error)
{
  guint n_facilitators = MAX (2, (n_communities + 1) / 2);

  if (!clmrs_store_begin (demo->store, error))
    return FALSE;
  for (guint i = 0; i < n_facilitators; i++)
    {
      DemoPerson *p = g_new0 (DemoPerson, 1);
      const char *country = i % 2 == 0 ? "ci" : "gh";
      g_autofree char *pin = clmrs_demo_facilitator_pin (i);

      p->id = clmrs_uuid_new ();
      /* ICI: women are a small minority of agents, and identify more cases */
      p->sex = i % 4 == 1 ? "female" : "male";
      p->name = person_name (demo, country, p->sex, NULL);
      g_ptr_array_add (demo->facilitators, p);
      if (!clmrs_store_add_facilitator (demo->store, p->id, p->name, p->sex, "facilitator", pin, error))
        goto fail;
    }
  demo->supervisor.id = clmrs_uuid_new ();
  demo->supervisor.sex = "female";
  demo->supervisor.name = g_strdup ("Adjoua Kouamé");
  if (!clmrs_store_add_facilitator (demo->store, demo->supervisor.id, demo->supervisor.name, "female",
                                    "supervisor", CLMRS_DEMO_SUPERVISOR_PIN, error))
    goto fail;

  for (guint i = 0; i < n_communities; i++)
    {
      DemoCommunity *c = g_new0 (DemoCommunity, 1);
      gboolean ci = i % 2 == 0;
      const char *base = ci ? ci_places[(i / 2) % G_N_ELEMENTS (ci_places)]
                            : gh_places[(i / 2) % G_N_ELEMENTS (gh_places)];

      c->id = clmrs_uuid_new ();
      c->name = i / 2 < G_N_ELEMENTS (ci_places) ? g_strdup (base)
                : g_strdup_printf ("%s %u", base, i / 2 / (guint) G_N_ELEMENTS (ci_places) + 1);
      c->country = ci ? "ci" : "gh";
      c->district = ci ? ci_districts[(i / 2) % G_N_ELEMENTS (ci_districts)]
                       : gh_districts[(i / 2) % G_N_ELEMENTS (gh_districts)];
      /* facilitators work in their own country */
      c->facilitator = (i / 2 * 2 + (ci ? 0 : 1)) % n_facilitators;
      if (!ci && c->facilitator % 2 == 0)
        c->facilitator = (c->facilitator + 1) % n_facilitators;
      g_ptr_array_add (demo->communities, c);
      if (!clmrs_store_add_community (demo->store, c->id, c->name, c->district, c->country, error))
        goto fail;
    }
  demo->report->communities = n_communities;
  demo->report->facilitators = n_facilitators + 1;
  return clmrs_store_commit (demo->store, error);

fail:
  clmrs_store_rollback (demo->store);
  return FALSE;
}

static gboolean
supervise (Demo *demo, GError **error)
{
  static const char * const messages_en[] = {
    "The age of the second child does not match the date of birth: please check with the household.",
    "Hours of work look too high for a school week: please confirm with the child.",
    "Consent reason missing: please ask the household head again.",
  };
  static const char * const messages_fr[] = {
    "L’âge du deuxième enfant ne correspond pas à sa date de naissance : vérifiez avec le ménage.",
    "Les heures de travail semblent trop élevées pour une semaine d’école : confirmez avec l’enfant.",
    "La raison du refus manque : redemandez au chef de ménage.",
  };
  G_STATIC_ASSERT (G_N_ELEMENTS (messages_en) == G_N_ELEMENTS (messages_fr));

  for (guint i = 0; i < demo->reviewable->len; i++)
    {
      DemoReviewable *reviewable = g_ptr_array_index (demo->reviewable, i);
      /* in the language the demo is shown in: French messages under an
         English app were a stumble (the supervisor writes one language) */
      const char * const *messages = g_strcmp0 (demo->language, "fr") == 0 ? messages_fr : messages_en;
      gboolean back = i % 4 == 3;
      g_autofree char *id = clmrs_review_record (demo->store, reviewable->visit_id, demo->supervisor.id,
                                                 back ? "returned" : "approved",
                                                 back ? messages[i % G_N_ELEMENTS (messages_en)] : NULL,
                                                 error);
      if (id == NULL)
        return FALSE;
      demo->report->reviews++;
    }
  return TRUE;
}

/* The summary's case figures are the indicators' (the same function, on
 * the demo's last day): never a second count that could differ. */
static gboolean
report_cases (Demo    *demo,
              GError **error)
{
  g_autoptr(JsonNode) indicators = clmrs_casebook_indicators (demo->store, NULL, NULL, &demo->until, error);
  JsonObject *o, *cases;

  if (indicators == NULL)
    return FALSE;
  o = json_node_get_object (indicators);
  cases = json_object_get_object_member (o, "cases");
  demo->report->identified = json_object_get_int_member (o, "children_ever_identified");
  demo->report->identified_at_farm = json_object_get_int_member (o, "children_identified_at_farm_visits");
  demo->report->exited = json_object_get_int_member (json_object_get_object_member (cases, "exited_of_identified"),
                                                     "numerator");
  demo->report->relapsed = json_object_get_int_member (json_object_get_object_member (cases, "relapse"),
                                                       "numerator");
  demo->report->missed = json_object_get_int_member (json_object_get_object_member (cases, "status"),
                                                     "follow_up_missed");
  demo->report->closed = json_object_get_int_member (json_object_get_object_member (cases, "status"), "closed");
  return TRUE;
}

/* A few visits left half done, to be resumed. */
static gboolean
leave_drafts (Demo *demo, GError **error)
{
  for (guint i = 0; i < MIN (3, demo->communities->len); i++)
    {
      DemoCommunity *c = g_ptr_array_index (demo->communities, i);
      DemoPerson *f = g_ptr_array_index (demo->facilitators, c->facilitator);
      g_autofree char *today = clmrs_date_format (&demo->until);
      g_autofree char *head = person_name (demo, c->country, "male", NULL);
      g_autofree char *id = NULL;

      clock_at (demo, today);
      id = clmrs_store_draft_create (demo->store, "household", clmrs_form_get_id (demo->household_form),
                                     clmrs_form_get_version (demo->household_form), f->id, c->id,
                                     NULL, NULL, error);
      if (id == NULL ||
          !clmrs_store_draft_save_answer (demo->store, id, "/household_visit/visit_date", today, error) ||
          !clmrs_store_draft_save_answer (demo->store, id, "/household_visit/household/head_name", head, error))
        return FALSE;
      demo->report->drafts++;
    }
  return TRUE;
}

gboolean
clmrs_demo_generate (ClmrsStore              *store,
                     const ClmrsDemoOptions  *options,
                     ClmrsDemoReport         *report,
                     GError                 **error)
{
  Demo demo = { .store = store, .report = report, .language = options->language };
  guint n_communities;
  guint months = options->months ? options->months : 24;
  gboolean ok = FALSE;
  guint n_cases = 0;

  g_return_val_if_fail (options->households > 0, FALSE);
  memset (report, 0, sizeof *report);

  if (!check_can_hold_demo (store, error))
    return FALSE;
  if (options->until != NULL)
    {
      if (!clmrs_date_parse (options->until, &demo.until))
        {
          g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_INVALID,
                       "--until '%s' is not a date (YYYY-MM-DD)", options->until);
          return FALSE;
        }
    }
  else
    clmrs_date_today (&demo.until);
  demo.start = demo.until;
  g_date_subtract_months (&demo.start, months);

  demo.rand = g_rand_new_with_seed (options->seed);
  clmrs_uuid_set_seed (options->seed ^ 0x5eed1e55u);
  demo.communities = g_ptr_array_new_with_free_func (demo_community_free);
  demo.facilitators = g_ptr_array_new_with_free_func (demo_person_free);
  demo.reviewable = g_ptr_array_new_with_free_func ((GDestroyNotify) demo_reviewable_free);
  n_communities = options->communities ? options->communities : MAX (2, (options->households + 149) / 150);

  /* bulk generation: durability per record is not needed while building
   * demo data (a crash means generating again), so skip the fsyncs */
  {
    /* the communities and people are set up before the day's first visit
     * (clock_at picks a working hour), so no record changes before it is made */
    g_autofree char *first_day = clmrs_date_format (&demo.start);
    g_autofree char *stamp = g_strdup_printf ("%sT06:30:00Z", first_day);
    g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (stamp, NULL);

    clock_set (&demo, g_date_time_to_unix (t));
  }
  /* marked first: a generation cut short still reads as a demo */
  if (!clmrs_store_set_meta (store, DEMO_META_KEY, DEMO_META_VALUE, error) ||
      !load_assets (&demo, error) ||
      !clmrs_store_exec (store, "PRAGMA synchronous = OFF", error) ||
      !make_people_and_places (&demo, n_communities, error))
    goto out;

  for (guint i = 0; i < n_communities; i++)
    if (!community_profile (&demo, g_ptr_array_index (demo.communities, i), error))
      goto out;

  for (guint i = 0; i < options->households; i++)
    {
      if (!simulate_household (&demo, g_ptr_array_index (demo.communities, i % n_communities), error))
        goto out;
      if (options->progress != NULL && (i % 50 == 49 || i + 1 == options->households))
        options->progress (i + 1, options->households, options->progress_data);
    }

  /* about one awareness session a month in each community */
  for (guint i = 0; i < n_communities; i++)
    for (guint m = 0; m < months; m++)
      {
        GDate day = demo.start;
        g_autofree char *date = NULL;

        g_date_add_months (&day, m);
        g_date_add_days (&day, g_rand_int_range (demo.rand, 0, 28));
        if (g_date_compare (&day, &demo.until) > 0 || g_rand_int_range (demo.rand, 0, 4) == 0)
          continue;
        date = clmrs_date_format (&day);
        if (!awareness_session (&demo, g_ptr_array_index (demo.communities, i), date, error))
          goto out;
      }

  {
    g_autofree char *today = clmrs_date_format (&demo.until);
    clock_at (&demo, today);
  }
  ok = supervise (&demo, error) &&
       leave_drafts (&demo, error) &&
       clmrs_casebook_refresh_all (store, &demo.until, NULL, &n_cases, error) &&
       report_cases (&demo, error);

out:
  clmrs_store_exec (store, "PRAGMA synchronous = FULL", NULL);
  clmrs_clock_set (NULL);
  clmrs_uuid_set_seed (0);
  free_assets (&demo);
  g_ptr_array_unref (demo.communities);
  g_ptr_array_unref (demo.facilitators);
  g_ptr_array_unref (demo.reviewable);
  g_free (demo.supervisor.id);
  g_free (demo.supervisor.name);
  g_rand_free (demo.rand);
  if (!ok)
    g_prefix_error (error, "making demo data: ");
  return ok;
}

/**
 * clmrs_demo_household_visit:
 * @community_id: a community on the device
 * @facilitator_id: the facilitator making the visit
 *
 * Makes one household visit as the app does: a draft autosaved answer by
 * answer through the shipped form, then finalised (with the supports the
 * rules suggest).  For crash and benchmark programs.
 *
 * Returns: (transfer full): the household visit's id; @n_children is set to
 * the number of children assessed.
 */
char *
clmrs_demo_household_visit (ClmrsStore  *store,
                            const char  *community_id,
                            const char  *facilitator_id,
                            guint32      seed,
                            guint       *n_children,
                            GError     **error)
{
  ClmrsDemoReport report = { 0 };
  Demo demo = { .store = store, .report = &report, .autosave = TRUE };
  DemoCommunity community = { 0 };
  DemoPerson *facilitator = g_new0 (DemoPerson, 1);
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (demo_child_free);
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  g_autofree char *date = NULL;
  g_autofree char *head = NULL;
  sqlite3_stmt *stmt;
  char *visit_id = NULL;
  guint n;

  demo.rand = g_rand_new_with_seed (seed);
  demo.reviewable = g_ptr_array_new_with_free_func ((GDestroyNotify) demo_reviewable_free);
  demo.facilitators = g_ptr_array_new_with_free_func (demo_person_free);
  g_ptr_array_add (demo.facilitators, facilitator);
  clmrs_date_today (&demo.until);
  demo.start = demo.until;

  stmt = clmrs_store_prepare (store,
      "SELECT (SELECT coalesce (country, 'ci') FROM communities WHERE id = ?1),"
      "  (SELECT name FROM facilitators WHERE id = ?2), (SELECT sex FROM facilitators WHERE id = ?2)", error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_text (stmt, 1, community_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, facilitator_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL &&
      sqlite3_column_type (stmt, 1) != SQLITE_NULL)
    {
      community.country = g_str_equal ((const char *) sqlite3_column_text (stmt, 0), "gh") ? "gh" : "ci";
      facilitator->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      facilitator->sex = g_str_equal ((const char *) sqlite3_column_text (stmt, 2), "female") ? "female" : "male";
    }
  sqlite3_finalize (stmt);
  if (community.country == NULL)
    {
      g_set_error (error, CLMRS_STORE_ERROR, CLMRS_STORE_ERROR_NOT_FOUND,
                   "no community %s or facilitator %s on this device", community_id, facilitator_id);
      goto out;
    }
  community.id = (char *) community_id;
  community.facilitator = 0;
  facilitator->id = g_strdup (facilitator_id);
  if (!load_assets (&demo, error))
    goto out;

  date = clmrs_date_format (&demo.until);
  head = person_name (&demo, community.country, "male", NULL);
  n = g_rand_int_range (demo.rand, 1, 5);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (children, new_child (&demo, community.country, NULL, &demo.until));
  demo.communities = NULL;
  result = household_visit (&demo, &community, NULL, head, "male", children, FALSE, date, error);
  if (result != NULL)
    {
      visit_id = g_strdup (result->visit_id);
      if (n_children != NULL)
        *n_children = result->children->len;
    }

out:
  clmrs_clock_set (NULL);
  free_assets (&demo);
  g_ptr_array_unref (demo.facilitators);
  g_ptr_array_unref (demo.reviewable);
  g_rand_free (demo.rand);
  return visit_id;
}
