/* demo-answers.c: the answers the simulated facilitators give the shipped forms, question by question, from each child's persona. */
#define G_LOG_DOMAIN "clmrs-demo"

#include "demo-private.h"

#include "util.h"

#include <string.h>

static const char * const light_tasks[] = { "planting", "picking_pods_within_reach", "gathering_pods", "fermenting_beans", "drying_beans", "filling_nursery_bags", "fetching_water" };

/* Weighted like the hazards seen in identified cases (Tony's: heavy loads
 * 70-77%, sharp tools 25%, land clearing 22%, agro-chemicals 2-24%). */
static const struct { const char *code; int weight; } hazardous_tasks[] = {
  { "heavy_loads", 40 }, { "machete_weeding", 15 }, { "pod_breaking_machete", 10 },
  { "land_clearing", 10 }, { "agrochemical_application", 6 }, { "present_during_spraying", 6 },
  { "tree_felling", 3 }, { "bush_burning", 2 }, { "climbing_trees", 3 },
  { "long_distance_carrying", 3 }, { "working_alone", 2 },
};


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
gboolean
_clmrs_demo_fill (Demo              *demo,
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

static const char *
yes_no (gboolean value)
{
  return value ? "yes" : "no";
}

int
_clmrs_demo_age_at (const DemoChild *child, const char *date)
{
  GDate on;

  clmrs_date_parse (date, &on);
  return clmrs_age_on (&child->dob, &on);
}

/* A free-text answer in the language the demo is made for
 * (ClmrsDemoOptions.language): English under a French app was a stumble. */
static const char *
in_language (Visit *v, const char *en, const char *fr)
{
  return g_strcmp0 (v->demo->language, "fr") == 0 ? fr : en;
}

/* The questions about one child's school and work, from the persona. */
static const char *
answer_child (Visit *v, DemoChild *c, const ClmrsPrompt *p, const char *leaf)
{
  Demo *demo = v->demo;
  GRand *r = demo->rand;
  int age = _clmrs_demo_age_at (c, v->date);
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
    return in_language (v, "Brought from another village to work on the farm",
                        "Amené d’un autre village pour travailler au champ");
  return NULL;
}

const char *
_clmrs_demo_answer_visit (const ClmrsPrompt *p,
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
    return in_language (v, "To another region with the family", "Dans une autre région avec la famille");
  if (g_str_equal (leaf, "source"))
    return in_language (v, "A neighbour", "Un voisin");
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
    return in_language (v, "Cooperative CLMRS team", "Équipe SSRTE de la coopérative");
  if (g_str_equal (leaf, "quantity"))
    return "1";
  if (v->child != NULL)
    return answer_child (v, v->child, p, leaf);
  if (v->children != NULL && instance >= 1 && instance <= v->children->len)
    return answer_child (v, g_ptr_array_index (v->children, instance - 1), p, leaf);
  return NULL;
}
