/* test-shipped-forms.c: each shipped questionnaire, filled in as a UI would, gives the right relevance, checks, entities and JSON. */
#include "casebook.h"
#include "prefill.h"
#include "rules.h"
#include "util.h"
#include "visit.h"
#include "xform.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#define HV      "/household_visit"
#define CHILD   HV "/children/child"
#define FU      "/follow_up_visit/child"
#define SR      "/support_record/support"
#define AW      "/awareness_session/session"
#define CP      "/community_profile/community"

static const char *shipped[] = {
  "household_visit", "follow_up_visit", "support_record", "awareness_session", "community_profile",
  "farm_visit",
};
/* Their versions: 2 for each form issue 11 changed (a record names the
 * version whose questions it answers; support_record 2 also has the
 * photo and the signature of the support handed over), 1 for the
 * community profile. */
static const char *shipped_versions[] = { "2", "2", "2", "2", "1", "2" };
G_STATIC_ASSERT (G_N_ELEMENTS (shipped) == G_N_ELEMENTS (shipped_versions));

/* ------------------------------------------------------------------ helpers */

static ClmrsFormSession *
new_session (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsForm) form = clmrs_form_load_builtin (name, &error);
  ClmrsFormSession *session;

  g_assert_no_error (error);
  g_assert_nonnull (form);
  session = clmrs_form_session_new (form, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  clmrs_form_session_set_language (session, "en");
  return session;
}

static char *
today_text (int offset_days)
{
  GDate date;

  clmrs_date_today (&date);
  if (offset_days > 0)
    g_date_add_days (&date, (guint) offset_days);
  else if (offset_days < 0)
    g_date_subtract_days (&date, (guint) -offset_days);
  return clmrs_date_format (&date);
}

static void
set (ClmrsFormSession *s,
     const char       *ref,
     const char       *value)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = clmrs_form_session_set_answer (s, ref, value, &error);

  if (!ok)
    g_test_message ("setting %s to \"%s\" failed", ref, value ? value : "");
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
prefill (ClmrsFormSession *s,
         const char       *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (clmrs_form_session_load_json (s, node, &error));
  g_assert_no_error (error);
}

static ClmrsPrompt *
find_prompt (GPtrArray  *prompts,
             const char *ref)
{
  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *p = g_ptr_array_index (prompts, i);

      if (g_strcmp0 (p->ref, ref) == 0)
        return p;
    }
  return NULL;
}

/* Whether the question (or the repeat's add place) @ref is shown now. */
static gboolean
shown (ClmrsFormSession *s,
       const char       *ref)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (s);

  return find_prompt (prompts, ref) != NULL;
}

/* Number of prompts shown whose ref starts with @prefix + "/". */
static guint
shown_under (ClmrsFormSession *s,
             const char       *prefix)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (s);
  g_autofree char *with_slash = g_strconcat (prefix, "/", NULL);
  guint n = 0;

  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *p = g_ptr_array_index (prompts, i);

      if (g_str_has_prefix (p->ref, with_slash))
        n++;
    }
  return n;
}

static void
assert_check (ClmrsFormSession *s,
              const char       *ref,
              ClmrsCheck        expected,
              const char       *expected_message)
{
  g_autofree char *message = NULL;
  ClmrsCheck check = clmrs_form_session_check (s, ref, &message);

  if (check != expected)
    g_test_message ("%s: check gave %d, message \"%s\"", ref, check, message ? message : "");
  g_assert_cmpint (check, ==, expected);
  if (expected_message != NULL)
    g_assert_cmpstr (message, ==, expected_message);
}

static void
assert_valid (ClmrsFormSession *s)
{
  g_autoptr(GPtrArray) problems = clmrs_form_session_validate (s);

  for (guint i = 0; i < problems->len; i++)
    {
      g_autofree char *text = clmrs_form_problem_to_string (g_ptr_array_index (problems, i));
      g_test_message ("unexpected problem: %s", text);
    }
  g_assert_cmpuint (problems->len, ==, 0);
}

static gboolean
problems_name (GPtrArray  *problems,
               const char *ref)
{
  for (guint i = 0; i < problems->len; i++)
    {
      ClmrsFormProblem *p = g_ptr_array_index (problems, i);

      if (g_strcmp0 (p->node, ref) == 0)
        return TRUE;
    }
  return FALSE;
}

typedef struct {
  const char *path;    /* below the scope, e.g. "identity/age" */
  const char *value;   /* NULL: shown and left as it is */
} Answer;

/*
 * Answers the questions under @scope the way a facilitator does: take the
 * first shown question not yet dealt with, answer it, look at the screen
 * again (relevance may have changed).  Every question shown must be in
 * @answers, and every entry of @answers must have been shown.
 */
static void
answer_by_walking (ClmrsFormSession *s,
                   const char       *scope,
                   const Answer     *answers,
                   gsize             n_answers)
{
  g_autofree gboolean *seen = g_new0 (gboolean, n_answers);
  g_autofree char *with_slash = g_strconcat (scope, "/", NULL);
  gsize scope_len = strlen (with_slash);
  gboolean progressed = TRUE;

  while (progressed)
    {
      g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (s);

      progressed = FALSE;
      for (guint i = 0; i < prompts->len && !progressed; i++)
        {
          ClmrsPrompt *p = g_ptr_array_index (prompts, i);
          const char *local;
          gssize found = -1;

          if (p->kind != CLMRS_PROMPT_QUESTION || p->readonly
              || !g_str_has_prefix (p->ref, with_slash))
            continue;
          local = p->ref + scope_len;
          for (gsize k = 0; k < n_answers; k++)
            if (strcmp (answers[k].path, local) == 0)
              found = (gssize) k;
          if (found < 0)
            g_assert_cmpstr ("a question not expected here", ==, p->ref);
          if (seen[found])
            continue;
          seen[found] = TRUE;
          if (answers[found].value != NULL)
            {
              g_autofree char *ref = g_strdup (p->ref);
              set (s, ref, answers[found].value);
            }
          progressed = TRUE;
        }
    }

  for (gsize k = 0; k < n_answers; k++)
    if (!seen[k])
      g_assert_cmpstr ("a question that was never shown", ==, answers[k].path);
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

/* The profile must hold exactly the members of @expected_json, typed. */
static void
assert_profile (JsonObject *profile,
                const char *expected_json)
{
  g_autoptr(JsonNode) expected_node = parse (expected_json);
  JsonObject *expected = json_node_get_object (expected_node);
  g_autoptr(GList) members = json_object_get_members (expected);
  g_autoptr(GList) actual_members = json_object_get_members (profile);

  g_assert_nonnull (profile);
  for (GList *l = actual_members; l != NULL; l = l->next)
    if (!json_object_has_member (expected, l->data))
      g_assert_cmpstr ("a profile member not expected", ==, l->data);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *want = json_object_get_member (expected, name);
      JsonNode *got = json_object_get_member (profile, name);

      if (got == NULL)
        g_assert_cmpstr ("a profile member missing", ==, name);
      g_test_message ("profile member %s", name);
      if (JSON_NODE_HOLDS_ARRAY (want))
        {
          JsonArray *w = json_node_get_array (want);

          g_assert_true (JSON_NODE_HOLDS_ARRAY (got));
          g_assert_cmpuint (json_array_get_length (json_node_get_array (got)), ==, json_array_get_length (w));
          for (guint i = 0; i < json_array_get_length (w); i++)
            g_assert_cmpstr (json_array_get_string_element (json_node_get_array (got), i), ==,
                             json_array_get_string_element (w, i));
        }
      else if (json_node_get_value_type (want) == G_TYPE_BOOLEAN)
        {
          g_assert_true (JSON_NODE_HOLDS_VALUE (got));
          g_assert_true (json_node_get_value_type (got) == G_TYPE_BOOLEAN);
          g_assert_cmpint (json_node_get_boolean (got), ==, json_node_get_boolean (want));
        }
      else if (json_node_get_value_type (want) == G_TYPE_STRING)
        {
          g_assert_true (JSON_NODE_HOLDS_VALUE (got));
          g_assert_true (json_node_get_value_type (got) == G_TYPE_STRING);
          g_assert_cmpstr (json_node_get_string (got), ==, json_node_get_string (want));
        }
      else
        {
          GType t;

          g_assert_true (JSON_NODE_HOLDS_VALUE (got));
          t = json_node_get_value_type (got);
          g_assert_true (t == G_TYPE_INT64 || t == G_TYPE_DOUBLE);
          g_assert_cmpfloat (json_node_get_double (got), ==, json_node_get_double (want));
        }
    }
}

/* The fields must hold the members of @expected_json (strings; "" meaning
 * empty or absent) and no other non-empty member. */
static void
assert_fields (JsonObject *fields,
               const char *expected_json)
{
  g_autoptr(JsonNode) expected_node = parse (expected_json);
  JsonObject *expected = json_node_get_object (expected_node);
  g_autoptr(GList) members = json_object_get_members (expected);
  g_autoptr(GList) actual_members = json_object_get_members (fields);

  g_assert_nonnull (fields);
  for (GList *l = actual_members; l != NULL; l = l->next)
    {
      JsonNode *got = json_object_get_member (fields, l->data);

      if (!json_object_has_member (expected, l->data)
          && !(JSON_NODE_HOLDS_NULL (got)
               || (JSON_NODE_HOLDS_VALUE (got) && g_strcmp0 (json_node_get_string (got), "") == 0)))
        g_assert_cmpstr ("a field not expected", ==, l->data);
    }
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *want = json_object_get_string_member (expected, l->data);
      JsonNode *got = json_object_get_member (fields, l->data);

      g_test_message ("field %s", (const char *) l->data);
      if (*want == '\0')
        {
          g_assert_true (got == NULL || JSON_NODE_HOLDS_NULL (got)
                         || g_strcmp0 (json_node_get_string (got), "") == 0);
          continue;
        }
      g_assert_nonnull (got);
      g_assert_true (JSON_NODE_HOLDS_VALUE (got) && json_node_get_value_type (got) == G_TYPE_STRING);
      g_assert_cmpstr (json_node_get_string (got), ==, want);
    }
}

static const char *
field (ClmrsEntityData *entity,
       const char      *name)
{
  if (!json_object_has_member (entity->fields, name))
    return NULL;
  return json_object_get_string_member (entity->fields, name);
}

/* The choice values offered by the select at @ref, space separated. */
static char *
choice_values (ClmrsFormSession *s,
               const char       *ref)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (s);
  ClmrsPrompt *p = find_prompt (prompts, ref);
  GString *out = g_string_new (NULL);

  g_assert_nonnull (p);
  g_assert_true (p->control == CLMRS_CONTROL_SELECT1 || p->control == CLMRS_CONTROL_SELECT);
  for (guint i = 0; p->choices != NULL && i < p->choices->len; i++)
    {
      ClmrsChoice *c = g_ptr_array_index (p->choices, i);

      g_string_append_printf (out, "%s%s", out->len ? " " : "", c->value);
    }
  return g_string_free (out, FALSE);
}

static char *
choice_label (ClmrsFormSession *s,
              const char       *ref,
              const char       *value)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (s);
  ClmrsPrompt *p = find_prompt (prompts, ref);

  g_assert_nonnull (p);
  g_assert_nonnull (p->choices);
  for (guint i = 0; i < p->choices->len; i++)
    {
      ClmrsChoice *c = g_ptr_array_index (p->choices, i);

      if (g_strcmp0 (c->value, value) == 0)
        return g_strdup (c->label);
    }
  return NULL;
}

static char *
prompt_label (ClmrsFormSession *s,
              const char       *ref)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (s);
  ClmrsPrompt *p = find_prompt (prompts, ref);

  g_assert_nonnull (p);
  return g_strdup (p->label);
}

static void
assert_answer (ClmrsFormSession *s,
               const char       *ref,
               const char       *expected)
{
  g_autofree char *value = clmrs_form_session_get_answer (s, ref);

  g_assert_cmpstr (value, ==, expected);
}

/* ------------------------------------------------------------------ every form */

static void
test_all_load (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (shipped); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsForm) form = clmrs_form_load_builtin (shipped[i], &error);
      g_autofree char *path = g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), "assets", "forms",
                                                shipped[i], NULL);
      g_autofree char *file = g_strconcat (path, ".xml", NULL);
      g_autoptr(ClmrsForm) from_file = NULL;
      g_autoptr(GPtrArray) problems = NULL;
      g_autoptr(ClmrsFormSession) s = NULL;
      const char * const *languages;

      g_test_message ("form %s", shipped[i]);
      g_assert_no_error (error);
      g_assert_cmpstr (clmrs_form_get_id (form), ==, shipped[i]);
      g_assert_cmpstr (clmrs_form_get_version (form), ==, shipped_versions[i]);
      g_assert_cmpstr (clmrs_form_get_title (form), !=, "");
      languages = clmrs_form_get_languages (form);
      g_assert_nonnull (languages);
      g_assert_true (g_strv_contains (languages, "English (en)"));
      g_assert_true (g_strv_contains (languages, "French (fr)"));
      g_assert_cmpuint (g_strv_length ((char **) languages), ==, 2);

      from_file = clmrs_form_load_file (file, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (clmrs_form_get_id (from_file), ==, shipped[i]);
      /* as a visit records its form: by name, or by path */
      {
        g_autoptr(ClmrsForm) by_name = clmrs_form_load (shipped[i], &error);
        g_autoptr(ClmrsForm) by_path = NULL;

        g_assert_no_error (error);
        g_assert_cmpstr (clmrs_form_get_id (by_name), ==, shipped[i]);
        by_path = clmrs_form_load (file, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (clmrs_form_get_id (by_path), ==, shipped[i]);
        g_assert_null (clmrs_form_load ("no_such_form", &error));
        g_assert_nonnull (error);
        g_clear_error (&error);
      }

      g_assert_true (clmrs_form_check_file (file, &problems));
      g_assert_cmpuint (problems->len, ==, 0);

      s = clmrs_form_session_new (form, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (clmrs_form_session_get_instance_id (s), "uuid:"));
      g_assert_true (clmrs_uuid_is_valid (clmrs_form_session_get_instance_id (s) + 5));
    }
}

/* Every label, hint and choice a facilitator may see is translated: walking
 * each form's first screen in French gives no English label. */
static void
test_french_labels (void)
{
  static const struct { const char *form, *ref, *en, *fr; } cases[] = {
    { "household_visit", HV "/household/consent",
      "Read the consent statement. Does the household agree to answer?",
      "Lisez la déclaration de consentement. Le ménage accepte-t-il de répondre ?" },
    { "household_visit", HV "/visit_date", "Date of the visit", "Date de la visite" },
    { "follow_up_visit", FU "/name", "Child's name", "Nom de l'enfant" },
    { "support_record", SR "/level", "Who received the support?", "Qui a reçu l'appui ?" },
    { "awareness_session", AW "/participants/men", "Men", "Hommes" },
    { "community_profile", CP "/services/cpc", "Is there a child protection committee?",
      "Y a-t-il un comité de protection de l'enfant ?" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ClmrsFormSession) s = new_session (cases[i].form);
      g_autofree char *en = prompt_label (s, cases[i].ref);
      g_autofree char *fr = NULL;

      g_assert_cmpstr (en, ==, cases[i].en);
      clmrs_form_session_set_language (s, "fr");
      fr = prompt_label (s, cases[i].ref);
      g_assert_cmpstr (fr, ==, cases[i].fr);
      clmrs_form_session_set_language (s, "French (fr)");
      g_clear_pointer (&fr, g_free);
      fr = prompt_label (s, cases[i].ref);
      g_assert_cmpstr (fr, ==, cases[i].fr);
    }

  /* the form's title too (itext clmrs:form-title; h:title has none) */
  {
    static const struct { const char *form, *en, *fr; } titles[] = {
      { "household_visit", "Household visit", "Visite du ménage" },
      { "follow_up_visit", "Follow-up visit", "Visite de suivi" },
      { "support_record", "Support record", "Appui apporté" },
      { "awareness_session", "Awareness session", "Séance de sensibilisation" },
      { "community_profile", "Community profile", "Profil de la communauté" },
      { "farm_visit", "Farm visit", "Visite de parcelle" },
      { "case_closure", "Case closure", "Clôture du cas" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (titles); i++)
      {
        g_autoptr(ClmrsFormSession) s = new_session (titles[i].form);
        g_autofree char *en = clmrs_form_session_dup_title (s);
        g_autofree char *fr = NULL;

        g_assert_cmpstr (en, ==, titles[i].en);
        clmrs_form_session_set_language (s, "fr");
        fr = clmrs_form_session_dup_title (s);
        g_assert_cmpstr (fr, ==, titles[i].fr);
      }
  }
}

/* ------------------------------------------------------------------ household visit */

#define KOFI_ID "6f1c1f0e-3f4b-4d7e-9a51-0d3c8a2b7e11"
#define HH_ID   "0b7d9c2e-1a3f-4c5d-8e9f-a1b2c3d4e5f6"
#define COM_ID  "c0a80101-0000-4000-8000-000000000001"

static void
fill_household (ClmrsFormSession *s,
                const char       *consent)
{
  g_autofree char *today = today_text (0);
  const Answer yes[] = {
    { "head_name", "Kwame Mensah" },
    { "head_sex", "male" },
    { "consent", "yes" },
    { "farmer_status", "caretaker" },
    { "gps", NULL },
  };
  const Answer no[] = {
    { "head_name", "Kwame Mensah" },
    { "head_sex", "male" },
    { "consent", "no" },
    { "consent_why_no", "Busy with the harvest" },
  };

  set (s, HV "/visit_date", today);
  if (g_str_equal (consent, "yes"))
    answer_by_walking (s, HV "/household", yes, G_N_ELEMENTS (yes));
  else
    answer_by_walking (s, HV "/household", no, G_N_ELEMENTS (no));
}

static void
test_household_consent (void)
{
  g_autoptr(ClmrsFormSession) s = new_session ("household_visit");
  g_autoptr(GPtrArray) entities = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *ref = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  /* Before consent: the household questions, no reason, no roster. */
  g_assert_true (shown (s, HV "/household/head_name"));
  g_assert_true (shown (s, HV "/household/consent"));
  g_assert_false (shown (s, HV "/household/consent_why_no"));
  g_assert_false (shown (s, HV "/household/farmer_status"));
  g_assert_false (shown (s, CHILD));
  g_assert_cmpuint (clmrs_form_session_count_repeat (s, CHILD), ==, 0);

  /* The outline, for the progress bar, already holds the questions after
   * consent and those of one child (not yet added: no ref), so the
   * household's own questions are not most of the visit. */
  {
    g_autoptr(GPtrArray) outline = clmrs_form_session_get_outline (s);
    guint household = 0, child = 0;

    g_assert_nonnull (find_prompt (outline, HV "/household/farmer_status"));
    for (guint i = 0; i < outline->len; i++)
      {
        ClmrsPrompt *p = g_ptr_array_index (outline, i);

        if (p->ref == NULL)
          child++;
        else if (g_str_has_prefix (p->ref, HV "/household/"))
          household++;
      }
    g_test_message ("outline: %u household questions, %u of a child", household, child);
    g_assert_cmpuint (child, >, 2 * household);
  }

  set (s, HV "/household/consent", "yes");
  g_assert_true (shown (s, CHILD));
  g_assert_true (shown (s, HV "/household/farmer_status"));
  g_assert_true (shown (s, HV "/household/gps"));
  ref = clmrs_form_session_add_repeat (s, CHILD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ref, ==, CHILD "[1]");
  set (s, CHILD "[1]/identity/name", "Efua");
  g_assert_cmpuint (shown_under (s, CHILD "[1]"), >, 0);

  /* Consent withdrawn: a reason and nothing else. */
  set (s, HV "/household/consent", "no");
  g_assert_true (shown (s, HV "/household/consent_why_no"));
  g_assert_false (shown (s, HV "/household/farmer_status"));
  g_assert_false (shown (s, HV "/household/gps"));
  g_assert_false (shown (s, CHILD));
  g_assert_cmpuint (shown_under (s, HV "/children"), ==, 0);
  assert_check (s, HV "/household/consent_why_no", CLMRS_CHECK_REQUIRED, NULL);

  fill_household (s, "no");
  assert_valid (s);
  entities = clmrs_form_session_get_entities (s, "child");
  g_assert_cmpuint (entities->len, ==, 0);
  g_clear_pointer (&entities, g_ptr_array_unref);
  entities = clmrs_form_session_get_entities (s, "household");
  g_assert_cmpuint (entities->len, ==, 1);
  assert_fields (((ClmrsEntityData *) g_ptr_array_index (entities, 0))->fields,
                 "{\"household_id\": \"\", \"community_id\": \"\", \"head_name\": \"Kwame Mensah\","
                 " \"head_sex\": \"male\"}");

  json = clmrs_form_session_to_json (s);
  root = json_node_get_object (json);
  g_assert_false (json_object_has_member (root, "children"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "household"),
                                                  "consent_why_no"), ==, "Busy with the harvest");
  g_assert_false (json_object_has_member (json_object_get_object_member (root, "household"), "farmer_status"));
}

static void
test_household_age_constraint (void)
{
  static const struct { const char *value; gboolean parses; ClmrsCheck check; } cases[] = {
    { "0", TRUE, CLMRS_CHECK_OK },
    { "5", TRUE, CLMRS_CHECK_OK },
    { "17", TRUE, CLMRS_CHECK_OK },
    { "24", TRUE, CLMRS_CHECK_OK },
    { "25", TRUE, CLMRS_CHECK_CONSTRAINT },
    { "30", TRUE, CLMRS_CHECK_CONSTRAINT },
    { "-1", TRUE, CLMRS_CHECK_CONSTRAINT },
    { "nine", FALSE, CLMRS_CHECK_REQUIRED },
    { "4.5", FALSE, CLMRS_CHECK_REQUIRED },
  };
  g_autoptr(ClmrsFormSession) s = new_session ("household_visit");
  g_autoptr(GError) error = NULL;
  g_autofree char *ref = NULL;
  const char *age = CHILD "[1]/identity/age";

  set (s, HV "/household/consent", "yes");
  ref = clmrs_form_session_add_repeat (s, CHILD, &error);
  g_assert_no_error (error);
  assert_check (s, age, CLMRS_CHECK_REQUIRED, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean ok;

      g_test_message ("age \"%s\"", cases[i].value);
      set (s, age, NULL);
      ok = clmrs_form_session_set_answer (s, age, cases[i].value, &error);
      g_assert_cmpint (ok, ==, cases[i].parses);
      if (!ok)
        {
          g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE);
          g_clear_error (&error);
          assert_answer (s, age, NULL);
        }
      assert_check (s, age, cases[i].check, NULL);
    }

  set (s, age, "30");
  assert_answer (s, age, "30");
  assert_check (s, age, CLMRS_CHECK_CONSTRAINT,
                "Age must be a whole number from 0 to 24 years, the completed years on the visit day "
                "when the date of birth is known.");
  clmrs_form_session_set_language (s, "fr");
  assert_check (s, age, CLMRS_CHECK_CONSTRAINT,
                "L'âge doit être un nombre entier de 0 à 24 ans, les années révolues au jour de la visite "
                "si la date de naissance est connue.");
  clmrs_form_session_set_language (s, "en");

  {
    g_autoptr(GPtrArray) problems = clmrs_form_session_validate (s);
    g_assert_true (problems_name (problems, age));
  }

  /* A calculated node is not an answer. */
  g_assert_false (clmrs_form_session_set_answer (s, CHILD "[1]/econ_hours_7d_p", "3", &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_READONLY);
  g_clear_error (&error);
  g_assert_false (clmrs_form_session_set_answer (s, CHILD "[1]/identity/no_such_question", "3", &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE);
  g_clear_error (&error);
}

/* With a date of birth, the age classified (and shown with the result) is
 * the completed years on the visit day: the day before the 5th birthday the
 * child is 4 and out of scope, on it 5 and in scope; the day before the
 * 18th birthday 17 and in scope, on it 18 and out.  A typed age that
 * disagrees with the date of birth is refused, so the household page (its
 * age from the date of birth) and the classification cannot disagree. */
static void
test_household_age_from_dob (void)
{
  static const struct { const char *dob; const char *age; ClmrsCheck check; const char *in_scope; } cases[] = {
    { "2021-06-16", "4", CLMRS_CHECK_OK, "no" },
    { "2021-06-16", "5", CLMRS_CHECK_CONSTRAINT, NULL },
    { "2021-06-15", "5", CLMRS_CHECK_OK, "yes" },
    { "2021-06-15", "4", CLMRS_CHECK_CONSTRAINT, NULL },
    { "2021-06-15", "6", CLMRS_CHECK_CONSTRAINT, NULL },
    { "2008-06-16", "17", CLMRS_CHECK_OK, "yes" },
    { "2008-06-16", "18", CLMRS_CHECK_CONSTRAINT, NULL },
    { "2008-06-15", "18", CLMRS_CHECK_OK, "no" },
    { "2008-06-15", "17", CLMRS_CHECK_CONSTRAINT, NULL },
    { "2016-02-29", "10", CLMRS_CHECK_OK, "yes" },
    { NULL, "5", CLMRS_CHECK_OK, "yes" },
  };
  g_autoptr(ClmrsFormSession) s = new_session ("household_visit");
  g_autoptr(GError) error = NULL;
  g_autofree char *ref = NULL;
  const char *age = CHILD "[1]/identity/age";

  set (s, HV "/visit_date", "2026-06-15");
  set (s, HV "/household/consent", "yes");
  ref = clmrs_form_session_add_repeat (s, CHILD, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("dob %s, age %s", cases[i].dob ? cases[i].dob : "unknown", cases[i].age);
      set (s, CHILD "[1]/identity/dob", cases[i].dob);
      set (s, age, cases[i].age);
      assert_check (s, age, cases[i].check, NULL);
      if (cases[i].in_scope != NULL)
        {
          g_autoptr(GPtrArray) children = clmrs_form_session_get_entities (s, "child");
          ClmrsEntityData *child = g_ptr_array_index (children, 0);
          gint64 profile_age = json_object_get_int_member (child->profile, "age");

          assert_answer (s, CHILD "[1]/in_scope", cases[i].in_scope);
          /* the age the rules get, and their own test of scope, agree */
          g_assert_cmpint (profile_age, ==, g_ascii_strtoll (cases[i].age, NULL, 10));
          g_assert_cmpint (clmrs_age_in_scope ((int) profile_age), ==, g_str_equal (cases[i].in_scope, "yes"));
        }
    }
}

static void
test_household_work_relevance (void)
{
  g_autoptr(ClmrsFormSession) s = new_session ("household_visit");
  g_autoptr(GError) error = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *label = NULL;
  const char *c = CHILD "[1]";
  g_autofree char *hours = g_strconcat (c, "/work/econ/hours_7d", NULL);
  g_autofree char *worked = g_strconcat (c, "/work/econ/worked_7d", NULL);
  g_autofree char *tasks = g_strconcat (c, "/work/tasks_7d", NULL);
  g_autofree char *econ = g_strconcat (c, "/econ_hours_7d_p", NULL);
  g_autofree char *night = g_strconcat (c, "/work/night_work", NULL);
  g_autofree char *in_school = g_strconcat (c, "/school/in_school", NULL);

  set (s, HV "/household/consent", "yes");
  ref = clmrs_form_session_add_repeat (s, CHILD, &error);
  g_assert_no_error (error);
  set (s, CHILD "[1]/identity/name", "Abena");

  /* No age yet, or an age out of 5-17: no school or work questions. */
  g_assert_false (shown (s, worked));
  g_assert_false (shown (s, in_school));
  set (s, CHILD "[1]/identity/age", "4");
  g_assert_false (shown (s, worked));
  g_assert_false (shown (s, in_school));
  g_assert_true (shown (s, CHILD "[1]/birth_certificate"));
  set (s, CHILD "[1]/identity/age", "18");
  g_assert_false (shown (s, worked));
  set (s, CHILD "[1]/identity/age", "12");
  g_assert_true (shown (s, worked));
  g_assert_true (shown (s, in_school));
  g_assert_true (shown (s, tasks));

  /* The child's name is read out in the question. */
  label = prompt_label (s, worked);
  g_assert_cmpstr (label, ==, "In the last 7 days, did Abena do any work for at least one hour?");
  g_clear_pointer (&label, g_free);
  clmrs_form_session_set_language (s, "fr");
  label = prompt_label (s, worked);
  g_assert_cmpstr (label, ==, "Au cours des 7 derniers jours, est-ce que Abena a travaillé au moins une heure ?");
  clmrs_form_session_set_language (s, "en");

  /* Worked "no": no hours, and the profile's hours are 0. */
  set (s, worked, "no");
  g_assert_false (shown (s, hours));
  assert_answer (s, econ, "0");
  set (s, worked, "yes");
  g_assert_true (shown (s, hours));
  assert_check (s, hours, CLMRS_CHECK_REQUIRED, NULL);
  set (s, hours, "0.5");
  assert_check (s, hours, CLMRS_CHECK_CONSTRAINT, "Enter the hours worked, from 1 to 112.");
  set (s, hours, "10.5");
  assert_check (s, hours, CLMRS_CHECK_OK, NULL);
  assert_answer (s, econ, "10.5");
  set (s, worked, "no");
  assert_answer (s, econ, "0");

  /* "None" stands alone, and empties the profile's task list. */
  set (s, tasks, "planting none");
  assert_check (s, tasks, CLMRS_CHECK_CONSTRAINT,
                "\"None of these\" cannot be chosen together with other answers.");
  clmrs_form_session_set_language (s, "fr");
  assert_check (s, tasks, CLMRS_CHECK_CONSTRAINT,
                "« Aucune de ces tâches » ne peut pas être choisie avec d'autres réponses.");
  clmrs_form_session_set_language (s, "en");
  set (s, tasks, "none");
  assert_check (s, tasks, CLMRS_CHECK_OK, NULL);
  assert_answer (s, CHILD "[1]/tasks_7d_p", NULL);
  /* No work and no task: nothing to ask about night work or hazards. */
  g_assert_false (shown (s, night));
  g_assert_false (shown (s, CHILD "[1]/work/hazard_conditions"));
  assert_answer (s, CHILD "[1]/night_work_7d_p", "no");

  /* A task done is work: night work and hazards are asked. */
  set (s, tasks, "planting gathering_pods");
  assert_answer (s, CHILD "[1]/tasks_7d_p", "planting gathering_pods");
  g_assert_true (shown (s, night));
  g_assert_true (shown (s, CHILD "[1]/work/hazard_conditions"));
  set (s, night, "yes");
  assert_answer (s, CHILD "[1]/night_work_7d_p", "yes");

  /* Field-list screens: the identity questions share one page. */
  {
    g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (s);
    ClmrsPrompt *name = find_prompt (prompts, CHILD "[1]/identity/name");
    ClmrsPrompt *age = find_prompt (prompts, CHILD "[1]/identity/age");
    ClmrsPrompt *rel = find_prompt (prompts, CHILD "[1]/relationship");

    g_assert_nonnull (name);
    g_assert_nonnull (age);
    g_assert_nonnull (rel);
    g_assert_cmpstr (name->screen, ==, CHILD "[1]/identity");
    g_assert_cmpstr (age->screen, ==, CHILD "[1]/identity");
    g_assert_null (rel->screen);
    g_assert_cmpstr (age->repeat, ==, CHILD "[1]");
    g_assert_true (age->type == CLMRS_TYPE_INT);
    g_assert_true (age->required);
    g_assert_cmpstr (age->hint, ==, "Age at the last birthday");
  }
}

/* Kofi, 9, pre-loaded from the last round, does hazardous tasks. */
static const Answer kofi[] = {
  { "identity/name", NULL },
  { "identity/sex", "male" },
  { "identity/dob", "2017-03-10" },
  { "identity/age", "9" },
  { "relationship", "son_daughter" },
  { "parents", "both" },
  { "decided", "parents" },
  { "origin", "this_community" },
  { "present", "yes" },
  { "assent", "yes" },
  { "respondent", "child" },
  { "birth_certificate", "no" },
  { "school/in_school", "yes" },
  { "school/grade", "primary_3" },
  { "school/school_name", "Asempa D/A Primary" },
  { "school/days_missed", "2" },
  { "school/missed_why", "farm_work" },
  { "work/econ/worked_7d", "yes" },
  { "work/econ/hours_7d", "12" },
  { "work/econ/load_kg", "30" },
  { "work/works_for", "parents" },
  { "work/work_why", "help_family" },
  { "work/tasks_7d", "machete_weeding pod_breaking_machete heavy_loads" },
  { "work/tasks_12m", "land_clearing machete_weeding pod_breaking_machete heavy_loads" },
  { "work/night_work", "no" },
  { "work/hazard_conditions", "dangerous_tools" },
  { "work/injury/injured_12m", "yes" },
  { "work/injury/injury_types", "wounds" },
  { "work/injury/injury_severity", "stopped_short" },
  { "work/abuse", "shouted_at" },
  { "work/chores_hours_7d", "7" },
  { "wfcl/brought_for_work", "no" },
  { "wfcl/not_free", "no" },
  { "wfcl/works_off_debt", "no" },
  { "wfcl/sexual_exploitation", "no" },
  { "wfcl/illicit_activities", "no" },
  { "wfcl/armed_recruitment", "no" },
  { "danger/immediate_danger", "no" },
};

/* Ama, 16, out of school, in permitted light work. */
static const Answer ama[] = {
  { "identity/name", "Ama" },
  { "identity/sex", "female" },
  { "identity/dob", NULL },
  { "identity/age", "16" },
  { "relationship", "niece_nephew" },
  { "parents", "neither" },
  { "decided", "relative" },
  { "origin", "other_community" },
  { "present", "yes" },
  { "assent", "yes" },
  { "respondent", "child_and_adult" },
  { "birth_certificate", "yes" },
  { "school/in_school", "no" },
  { "school/ever_school", "yes" },
  { "school/left_why", "costs" },
  { "work/econ/worked_7d", "yes" },
  { "work/econ/hours_7d", "20" },
  { "work/econ/load_kg", "10" },
  { "work/works_for", "relative" },
  { "work/work_why", "help_family" },
  { "work/tasks_7d", "gathering_pods drying_beans" },
  { "work/tasks_12m", "gathering_pods fermenting_beans drying_beans" },
  { "work/night_work", "no" },
  { "work/hazard_conditions", "none" },
  { "work/injury/injured_12m", "no" },
  { "work/abuse", "none" },
  { "work/chores_hours_7d", "10" },
  { "wfcl/brought_for_work", "no" },
  { "wfcl/not_free", "no" },
  { "wfcl/works_off_debt", "no" },
  { "wfcl/sexual_exploitation", "no" },
  { "wfcl/illicit_activities", "no" },
  { "wfcl/armed_recruitment", "no" },
  { "danger/immediate_danger", "no" },
};

/* Yaw, 4, listed but out of scope: no school or work questions. */
static const Answer yaw[] = {
  { "identity/name", "Yaw" },
  { "identity/sex", "male" },
  { "identity/dob", NULL },
  { "identity/age", "4" },
  { "relationship", "grandchild" },
  { "present", "no" },
  { "birth_certificate", "in_process" },
};

#define KOFI_PROFILE \
  "{\"age\": 9, \"sex\": \"male\", \"in_school\": true, \"econ_hours_7d\": 12," \
  " \"chores_hours_7d\": 7, \"night_work_7d\": false," \
  " \"tasks_7d\": [\"machete_weeding\", \"pod_breaking_machete\", \"heavy_loads\"]," \
  " \"tasks_12m\": [\"land_clearing\", \"machete_weeding\", \"pod_breaking_machete\", \"heavy_loads\"]," \
  " \"hazard_conditions\": [\"dangerous_tools\"], \"abuse\": [\"shouted_at\"]," \
  " \"wfcl_signals\": [], \"immediate_danger\": false, \"birth_certificate\": \"no\"," \
  " \"abuse_recall\": \"12m\", \"respondent\": \"child\", \"child_interviewed\": true," \
  " \"work_injury_12m\": \"stopped_short\"}"
#define AMA_PROFILE \
  "{\"age\": 16, \"sex\": \"female\", \"in_school\": false, \"econ_hours_7d\": 20," \
  " \"chores_hours_7d\": 10, \"night_work_7d\": false," \
  " \"tasks_7d\": [\"gathering_pods\", \"drying_beans\"]," \
  " \"tasks_12m\": [\"gathering_pods\", \"fermenting_beans\", \"drying_beans\"]," \
  " \"hazard_conditions\": [], \"abuse\": [], \"wfcl_signals\": [], \"immediate_danger\": false," \
  " \"birth_certificate\": \"yes\", \"abuse_recall\": \"12m\", \"respondent\": \"child_and_adult\"," \
  " \"child_interviewed\": true, \"work_injury_12m\": \"none\"}"
#define YAW_PROFILE \
  "{\"age\": 4, \"sex\": \"male\", \"birth_certificate\": \"in_process\"}"

static char *
add_child (ClmrsFormSession *s)
{
  g_autoptr(GError) error = NULL;
  char *ref = clmrs_form_session_add_repeat (s, CHILD, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ref);
  return ref;
}

static void
test_household_roster (void)
{
  g_autoptr(ClmrsFormSession) s = new_session ("household_visit");
  g_autoptr(ClmrsFormSession) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) children = NULL;
  g_autoptr(GPtrArray) households = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) copy_json = NULL;
  g_autofree char *ref2 = NULL;
  g_autofree char *ref3 = NULL;
  g_autofree char *ref_again = NULL;
  JsonObject *root;
  JsonArray *array;

  /* The app pre-fills the facilitator, the household and the child
   * already known from the last round. */
  prefill (s,
           "{\"facilitator_id\": \"F-017\", \"facilitator_name\": \"Akosua Boateng\","
           " \"facilitator_sex\": \"female\","
           " \"household\": {\"household_id\": \"" HH_ID "\", \"community_id\": \"" COM_ID "\"},"
           " \"children\": {\"child\": [{\"child_id\": \"" KOFI_ID "\", \"identity\": {\"name\": \"Kofi\"}}]}}");
  g_assert_cmpuint (clmrs_form_session_count_repeat (s, CHILD), ==, 1);
  assert_answer (s, CHILD "[1]/identity/name", "Kofi");

  fill_household (s, "yes");
  g_assert_true (shown (s, CHILD));
  answer_by_walking (s, CHILD "[1]", kofi, G_N_ELEMENTS (kofi));

  ref2 = add_child (s);
  g_assert_cmpstr (ref2, ==, CHILD "[2]");
  answer_by_walking (s, ref2, ama, G_N_ELEMENTS (ama));
  ref3 = add_child (s);
  g_assert_cmpstr (ref3, ==, CHILD "[3]");
  answer_by_walking (s, ref3, yaw, G_N_ELEMENTS (yaw));
  g_assert_cmpuint (clmrs_form_session_count_repeat (s, CHILD), ==, 3);

  /* Where each question sits, for the wizard's heading: the household's
   * section outside the roster, "Child 2 of 3" and the child's section in it;
   * in French too. */
  {
    g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (s);
    ClmrsPrompt *p = find_prompt (prompts, "/household_visit/household/consent");

    g_assert_nonnull (p);
    g_assert_cmpstr (p->section, ==, "Household");
    g_assert_null (p->repeat_label);
    g_assert_cmpuint (p->repeat_position, ==, 0);
    p = find_prompt (prompts, CHILD "[2]/school/in_school");
    g_assert_nonnull (p);
    g_assert_cmpstr (p->section, ==, "School");
    g_assert_cmpstr (p->repeat_label, ==, "Child");
    g_assert_cmpuint (p->repeat_position, ==, 2);
    g_assert_cmpuint (p->repeat_total, ==, 3);
    p = find_prompt (prompts, CHILD "[3]/identity/name");
    g_assert_nonnull (p);
    g_assert_cmpstr (p->section, ==, "About the child");
    g_assert_cmpuint (p->repeat_position, ==, 3);
    p = find_prompt (prompts, CHILD);
    g_assert_nonnull (p);
    g_assert_cmpint (p->kind, ==, CLMRS_PROMPT_REPEAT_ADD);
    g_assert_cmpstr (p->section, ==, "Children living in the household");
    g_assert_null (p->repeat_label);
    clmrs_form_session_set_language (s, "fr");
    g_clear_pointer (&prompts, g_ptr_array_unref);
    prompts = clmrs_form_session_get_prompts (s);
    p = find_prompt (prompts, CHILD "[2]/school/in_school");
    g_assert_cmpstr (p->section, ==, "École");
    g_assert_cmpstr (p->repeat_label, ==, "Enfant");
    clmrs_form_session_set_language (s, "en");
  }

  /* The outline holds every question, relevant or not, in the same order:
   * Yaw's school questions are in it though he is too young to be asked. */
  {
    g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (s);
    g_autoptr(GPtrArray) outline = clmrs_form_session_get_outline (s);
    guint at = 0;

    g_assert_cmpuint (outline->len, >, prompts->len);
    g_assert_null (find_prompt (prompts, CHILD "[3]/school/in_school"));
    g_assert_nonnull (find_prompt (outline, CHILD "[3]/school/in_school"));
    for (guint i = 0; i < prompts->len; i++)
      {
        ClmrsPrompt *p = g_ptr_array_index (prompts, i);

        while (at < outline->len && g_strcmp0 (((ClmrsPrompt *) g_ptr_array_index (outline, at))->ref, p->ref) != 0)
          at++;
        g_assert_cmpuint (at, <, outline->len);
        g_assert_cmpstr (((ClmrsPrompt *) g_ptr_array_index (outline, at))->screen, ==, p->screen);
      }
  }

  /* Yaw, 4, sees none of the school or work questions. */
  g_assert_cmpuint (shown_under (s, CHILD "[3]/work"), ==, 0);
  g_assert_cmpuint (shown_under (s, CHILD "[3]/school"), ==, 0);

  /* Remove Ama: Yaw moves up; add her again at the end. */
  g_assert_true (clmrs_form_session_remove_repeat (s, CHILD "[2]", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (clmrs_form_session_count_repeat (s, CHILD), ==, 2);
  assert_answer (s, CHILD "[2]/identity/name", "Yaw");
  g_assert_false (shown (s, CHILD "[3]/identity/name"));
  g_assert_false (clmrs_form_session_remove_repeat (s, CHILD "[7]", &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE);
  g_clear_error (&error);
  ref_again = add_child (s);
  g_assert_cmpstr (ref_again, ==, CHILD "[3]");
  assert_answer (s, CHILD "[3]/identity/name", NULL);

  /* Half filled: validation names what is missing. */
  set (s, CHILD "[3]/identity/name", "Ama");
  problems = clmrs_form_session_validate (s);
  g_assert_true (problems_name (problems, CHILD "[3]/identity/age"));
  g_assert_false (problems_name (problems, CHILD "[1]/identity/age"));
  g_clear_pointer (&problems, g_ptr_array_unref);

  answer_by_walking (s, ref_again, ama, G_N_ELEMENTS (ama));
  assert_valid (s);

  /* The profiles, typed, and the identity fields. */
  children = clmrs_form_session_get_entities (s, "child");
  g_assert_cmpuint (children->len, ==, 3);
  {
    ClmrsEntityData *k = g_ptr_array_index (children, 0);
    ClmrsEntityData *y = g_ptr_array_index (children, 1);
    ClmrsEntityData *a = g_ptr_array_index (children, 2);

    g_assert_cmpstr (k->ref, ==, CHILD "[1]");
    g_assert_cmpstr (y->ref, ==, CHILD "[2]");
    g_assert_cmpstr (a->ref, ==, CHILD "[3]");
    assert_profile (k->profile, KOFI_PROFILE);
    assert_profile (y->profile, YAW_PROFILE);
    assert_profile (a->profile, AMA_PROFILE);
    assert_fields (k->fields, "{\"child_id\": \"" KOFI_ID "\", \"name\": \"Kofi\", \"sex\": \"male\","
                              " \"dob\": \"2017-03-10\", \"age\": \"9\"}");
    assert_fields (y->fields, "{\"child_id\": \"\", \"name\": \"Yaw\", \"sex\": \"male\", \"dob\": \"\", \"age\": \"4\"}");
    assert_fields (a->fields, "{\"child_id\": \"\", \"name\": \"Ama\", \"sex\": \"female\", \"dob\": \"\", \"age\": \"16\"}");
    g_assert_cmpstr (field (a, "name"), ==, "Ama");
  }
  households = clmrs_form_session_get_entities (s, "household");
  g_assert_cmpuint (households->len, ==, 1);
  assert_fields (((ClmrsEntityData *) g_ptr_array_index (households, 0))->fields,
                 "{\"household_id\": \"" HH_ID "\", \"community_id\": \"" COM_ID "\","
                 " \"head_name\": \"Kwame Mensah\", \"head_sex\": \"male\"}");
  g_assert_cmpuint (json_object_get_size (((ClmrsEntityData *) g_ptr_array_index (households, 0))->profile), ==, 0);

  /* JSON: the children as an array, non-relevant groups left out. */
  json = clmrs_form_session_to_json (s);
  root = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (root, "facilitator_id"), ==, "F-017");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_object_get_object_member (root, "meta"),
                                                                  "instanceID"), "uuid:"));
  array = json_object_get_array_member (json_object_get_object_member (root, "children"), "child");
  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  {
    JsonObject *k = json_array_get_object_element (array, 0);
    JsonObject *y = json_array_get_object_element (array, 1);
    JsonObject *a = json_array_get_object_element (array, 2);

    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (k, "identity"), "name"), ==, "Kofi");
    g_assert_cmpstr (json_object_get_string_member (k, "child_id"), ==, KOFI_ID);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (y, "identity"), "name"), ==, "Yaw");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (a, "identity"), "name"), ==, "Ama");
    g_assert_false (json_object_has_member (y, "school"));
    g_assert_false (json_object_has_member (y, "work"));
    g_assert_false (json_object_has_member (y, "econ_hours_7d_p"));
    g_assert_true (json_object_has_member (a, "work"));
    g_assert_false (json_object_has_member (json_object_get_object_member (a, "school"), "grade"));
    g_assert_false (json_object_has_member (json_object_get_object_member (k, "work"), "no_such"));
    g_assert_true (json_object_has_member (json_object_get_object_member (k, "school"), "grade"));
  }

  /* A draft restores the filling exactly. */
  values = clmrs_form_session_list_values (s);
  copy = new_session ("household_visit");
  g_assert_true (clmrs_form_session_apply_values (copy, values, &error));
  g_assert_no_error (error);
  g_clear_pointer (&json, json_node_unref);
  json = clmrs_form_session_to_json (s);
  copy_json = clmrs_form_session_to_json (copy);
  g_assert_true (json_node_equal (json, copy_json));
  g_assert_cmpuint (clmrs_form_session_count_repeat (copy, CHILD), ==, 3);
}

/* ------------------------------------------------------------------ follow-up visit */

/* How many rows @sql (one ?1 parameter) counts. */
static int
count_rows (ClmrsStore *store,
            const char *sql,
            const char *param)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = clmrs_store_prepare (store, sql, &error);
  int n;

  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

static char *
child_id_named (ClmrsStore *store,
                const char *name)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = clmrs_store_prepare (store, "SELECT id FROM children WHERE name = ?1", &error);
  char *id;

  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return id;
}

/* Finalises the household visit filled in @s as @draft_id (NULL: a new draft). */
static char *
finalise_household (ClmrsStore         *store,
                    ClmrsFormSession   *s,
                    const ClmrsRuleSet *rules,
                    const char         *household_id,
                    const char         *draft_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  ClmrsForm *form = clmrs_form_session_get_form (s);
  g_autofree char *visit_id = draft_id ? g_strdup (draft_id)
                              : clmrs_store_draft_create (store, "household", clmrs_form_get_id (form),
                                                          clmrs_form_get_version (form), "F-017", COM_ID,
                                                          household_id, NULL, &error);

  g_assert_no_error (error);
  assert_valid (s);
  g_assert_true (clmrs_visit_finalise (store, visit_id, s, rules, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_nonnull (result->household_id);
  return g_strdup (result->household_id);
}

/* A revisit of a known household lists its known children, each with its
 * id, so finalising re-assesses them instead of adding them again; a
 * restored draft keeps its roster as it was. */
static void
test_household_revisit (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clmrs-revisit-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "device.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(ClmrsRuleSet) rules = clmrs_rule_set_load_builtin ("gh", &error);
  g_autofree char *today = today_text (0);
  g_autofree char *household_id = NULL;
  g_autofree char *again_id = NULL;
  g_autofree char *kofi_id = NULL;
  g_autofree char *ama_id = NULL;
  g_autofree char *kofi_age = NULL;
  ClmrsStore *store;
  ClmrsPrefill prefill = { .facilitator_id = "F-017", .facilitator_name = "Akosua Boateng",
                           .facilitator_sex = "female", .community_id = COM_ID };
  GDate born, on;

  g_assert_no_error (error);
  store = clmrs_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_store_add_community (store, COM_ID, "Asempa", "Ashanti", "gh", &error));
  g_assert_no_error (error);

  /* The first visit registers Kwame Mensah's household with Kofi and Ama. */
  {
    g_autoptr(ClmrsFormSession) s = new_session ("household_visit");
    g_autofree char *ref1 = NULL;
    g_autofree char *ref2 = NULL;

    g_assert_true (clmrs_prefill_session (s, store, &prefill, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (clmrs_form_session_count_repeat (s, CHILD), ==, 0);
    fill_household (s, "yes");
    ref1 = add_child (s);
    set (s, CHILD "[1]/identity/name", "Kofi");
    answer_by_walking (s, ref1, kofi, G_N_ELEMENTS (kofi));
    ref2 = add_child (s);
    answer_by_walking (s, ref2, ama, G_N_ELEMENTS (ama));
    household_id = finalise_household (store, s, rules, NULL, NULL);
  }
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM children WHERE household_id = ?1", household_id), ==, 2);
  kofi_id = child_id_named (store, "Kofi");
  ama_id = child_id_named (store, "Ama");
  g_assert_true (clmrs_date_parse ("2017-03-10", &born));
  g_assert_true (clmrs_date_parse (today, &on));
  kofi_age = g_strdup_printf ("%d", clmrs_age_on (&born, &on));

  /* The revisit: the roster holds both, pre-filled from the store. */
  prefill.household_id = household_id;
  prefill.date = today;
  {
    g_autoptr(ClmrsFormSession) s = new_session ("household_visit");
    g_autoptr(ClmrsFormSession) restored = NULL;
    g_autoptr(GPtrArray) values = NULL;
    g_autoptr(GPtrArray) loaded = NULL;
    g_autoptr(ClmrsForm) form = clmrs_form_load_builtin ("household_visit", &error);
    g_autofree char *draft_id = NULL;

    g_assert_no_error (error);
    g_assert_true (clmrs_prefill_session (s, store, &prefill, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (clmrs_form_session_count_repeat (s, CHILD), ==, 2);
    assert_answer (s, HV "/household/household_id", household_id);
    assert_answer (s, HV "/household/head_name", "Kwame Mensah");
    assert_answer (s, HV "/household/head_sex", "male");
    assert_answer (s, CHILD "[1]/child_id", kofi_id);
    assert_answer (s, CHILD "[1]/identity/name", "Kofi");
    assert_answer (s, CHILD "[1]/identity/sex", "male");
    assert_answer (s, CHILD "[1]/identity/dob", "2017-03-10");
    assert_answer (s, CHILD "[1]/identity/age", kofi_age);
    assert_answer (s, CHILD "[1]/birth_certificate", NULL);   /* "no" may have changed */
    assert_answer (s, CHILD "[2]/child_id", ama_id);
    assert_answer (s, CHILD "[2]/identity/name", "Ama");
    assert_answer (s, CHILD "[2]/identity/sex", "female");
    assert_answer (s, CHILD "[2]/identity/dob", NULL);
    assert_answer (s, CHILD "[2]/identity/age", "16");
    assert_answer (s, CHILD "[2]/birth_certificate", "yes");

    /* Prefilling again (or after a draft is restored) adds no one. */
    g_assert_true (clmrs_prefill_session (s, store, &prefill, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (clmrs_form_session_count_repeat (s, CHILD), ==, 2);

    /* Saved as a draft and restored: the same two, once. */
    draft_id = clmrs_store_draft_create (store, "household", "household_visit", clmrs_form_get_version (form),
                                         "F-017", COM_ID, household_id, NULL, &error);
    g_assert_no_error (error);
    values = clmrs_form_session_list_values (s);
    g_assert_true (clmrs_store_draft_save_all (store, draft_id, values, &error));
    g_assert_no_error (error);
    loaded = clmrs_store_draft_load (store, draft_id, &error);
    g_assert_no_error (error);
    restored = clmrs_form_session_new (form, &error);
    g_assert_no_error (error);
    clmrs_form_session_set_language (restored, "en");
    g_assert_true (clmrs_form_session_apply_values (restored, loaded, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (clmrs_form_session_count_repeat (restored, CHILD), ==, 2);
    g_assert_true (clmrs_prefill_session (restored, store, &prefill, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (clmrs_form_session_count_repeat (restored, CHILD), ==, 2);
    assert_answer (restored, CHILD "[1]/child_id", kofi_id);
    assert_answer (restored, CHILD "[2]/child_id", ama_id);

    /* The facilitator answers the rest; a new baby brother is added. */
    fill_household (restored, "yes");
    answer_by_walking (restored, CHILD "[1]", kofi, G_N_ELEMENTS (kofi));
    answer_by_walking (restored, CHILD "[2]", ama, G_N_ELEMENTS (ama));
    {
      g_autofree char *ref3 = add_child (restored);

      answer_by_walking (restored, ref3, yaw, G_N_ELEMENTS (yaw));
    }
    again_id = finalise_household (store, restored, rules, household_id, draft_id);
  }

  /* The same household, its two children re-assessed, Yaw added. */
  g_assert_cmpstr (again_id, ==, household_id);
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM households WHERE ?1 IS NOT NULL", ""), ==, 1);
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM children WHERE household_id = ?1", household_id), ==, 3);
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM children WHERE ?1 IS NOT NULL", ""), ==, 3);
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM children WHERE name = ?1", "Kofi"), ==, 1);
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM children WHERE name = ?1", "Ama"), ==, 1);
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM assessments WHERE child_id = ?1", kofi_id), ==, 2);
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM assessments WHERE child_id = ?1", ama_id), ==, 2);

  clmrs_store_close (store);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

static void
test_follow_up (void)
{
  g_autoptr(ClmrsFormSession) s = new_session ("follow_up_visit");
  g_autoptr(GPtrArray) entities = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *label = NULL;
  g_autofree char *choices = NULL;
  g_autofree char *today = today_text (0);
  const Answer present[] = {
    { "name", NULL },
    { "child_status", "present" },
    { "identity/sex", NULL },
    { "identity/dob", NULL },
    { "identity/age", "10" },
    { "assent", "no" },
    { "respondent", "adult" },
    { "support_received", "school_kit awareness_targeted" },
    { "birth_certificate", "in_process" },
    { "school/in_school", "yes" },
    { "school/grade", "primary_4" },
    { "school/days_missed", "0" },
    { "work/econ/worked_7d", "no" },
    { "work/tasks_7d", "none" },
    { "work/tasks_12m", "picking_pods_within_reach" },
    { "work/tasks_since_last", "picking_pods_within_reach" },
    { "work/injury/injured_12m", "no" },
    { "work/abuse", "none" },
    { "work/chores_hours_7d", "6" },
    { "wfcl/brought_for_work", "no" },
    { "wfcl/not_free", "no" },
    { "wfcl/works_off_debt", "no" },
    { "wfcl/sexual_exploitation", "no" },
    { "wfcl/illicit_activities", "no" },
    { "wfcl/armed_recruitment", "no" },
    { "danger/immediate_danger", "no" },
  };

  /* The app pre-fills the child from the last visit. */
  prefill (s, "{\"child\": {\"child_id\": \"" KOFI_ID "\", \"household_id\": \"" HH_ID "\","
              " \"name\": \"Kofi\", \"identity\": {\"sex\": \"male\", \"age\": \"9\"}}}");
  set (s, "/follow_up_visit/visit_date", today);
  assert_answer (s, FU "/name", "Kofi");
  label = prompt_label (s, FU "/child_status");
  g_assert_cmpstr (label, ==, "Did you find Kofi?");

  /* Moved away: nothing else is asked, no profile. */
  set (s, FU "/child_status", "moved");
  g_assert_true (shown (s, FU "/moved_where"));
  g_assert_false (shown (s, FU "/identity/age"));
  g_assert_false (shown (s, FU "/support_received"));
  g_assert_cmpuint (shown_under (s, FU "/work"), ==, 0);
  assert_valid (s);
  entities = clmrs_form_session_get_entities (s, "child");
  g_assert_cmpuint (entities->len, ==, 1);
  assert_profile (((ClmrsEntityData *) g_ptr_array_index (entities, 0))->profile, "{}");
  g_assert_cmpstr (field (g_ptr_array_index (entities, 0), "child_id"), ==, KOFI_ID);
  g_assert_cmpstr (field (g_ptr_array_index (entities, 0), "household_id"), ==, HH_ID);
  g_assert_cmpstr (field (g_ptr_array_index (entities, 0), "name"), ==, "Kofi");
  g_assert_cmpstr (field (g_ptr_array_index (entities, 0), "child_status"), ==, "moved");
  g_clear_pointer (&entities, g_ptr_array_unref);

  /* Found: the support list offers every support code and "none". */
  set (s, FU "/child_status", "present");
  g_assert_false (shown (s, FU "/moved_where"));
  choices = choice_values (s, FU "/support_received");
  g_assert_cmpstr (choices, ==,
                   "awareness_targeted school_kit bicycle birth_certificate school_fees bridging_class"
                   " vocational_training health_insurance referral tools_safe labour_support iga vsla"
                   " cash_transfer awareness_community infrastructure psychosocial medical school_meals"
                   " family_reunification none");
  set (s, FU "/support_received", "school_kit none");
  assert_check (s, FU "/support_received", CLMRS_CHECK_CONSTRAINT,
                "\"Nothing received\" cannot be chosen together with other answers.");
  set (s, FU "/support_received", NULL);

  answer_by_walking (s, FU, present, G_N_ELEMENTS (present));
  assert_valid (s);

  entities = clmrs_form_session_get_entities (s, "child");
  g_assert_cmpuint (entities->len, ==, 1);
  assert_profile (((ClmrsEntityData *) g_ptr_array_index (entities, 0))->profile,
                  "{\"age\": 10, \"sex\": \"male\", \"in_school\": true, \"econ_hours_7d\": 0,"
                  " \"chores_hours_7d\": 6, \"night_work_7d\": false, \"tasks_7d\": [],"
                  " \"tasks_12m\": [\"picking_pods_within_reach\"],"
                  " \"tasks_since_last\": [\"picking_pods_within_reach\"], \"hazard_conditions\": [],"
                  " \"abuse\": [], \"wfcl_signals\": [], \"immediate_danger\": false,"
                  " \"birth_certificate\": \"in_process\", \"abuse_recall\": \"since_last_visit\","
                  " \"respondent\": \"adult\", \"child_interviewed\": false, \"work_injury_12m\": \"none\"}");
  assert_fields (((ClmrsEntityData *) g_ptr_array_index (entities, 0))->fields,
                 "{\"child_id\": \"" KOFI_ID "\", \"household_id\": \"" HH_ID "\", \"name\": \"Kofi\","
                 " \"child_status\": \"present\", \"sex\": \"male\", \"age\": \"10\", \"dob\": \"\"}");
  g_clear_pointer (&entities, g_ptr_array_unref);

  /* A worst-form signal, asked in plain words, reaches the profile. */
  set (s, FU "/wfcl/works_off_debt", "yes");
  set (s, FU "/wfcl/brought_for_work", "yes");
  set (s, FU "/danger/immediate_danger", "yes");
  g_assert_true (shown (s, FU "/danger/immediate_danger_why"));
  set (s, FU "/danger/immediate_danger_why", "Sent away to work off a debt");
  entities = clmrs_form_session_get_entities (s, "child");
  {
    JsonObject *profile = ((ClmrsEntityData *) g_ptr_array_index (entities, 0))->profile;
    JsonArray *signals = json_object_get_array_member (profile, "wfcl_signals");

    g_assert_nonnull (signals);
    g_assert_cmpuint (json_array_get_length (signals), ==, 2);
    g_assert_cmpstr (json_array_get_string_element (signals, 0), ==, "trafficking");
    g_assert_cmpstr (json_array_get_string_element (signals, 1), ==, "debt_bondage");
    g_assert_true (json_object_get_boolean_member (profile, "immediate_danger"));
  }

  json = clmrs_form_session_to_json (s);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (json), "child"),
                                                  "child_status"), ==, "present");
}

/* ------------------------------------------------------------------ support record */

static void
test_support_record (void)
{
  static const struct { const char *level, *choices; } filter[] = {
    { "child", "awareness_targeted school_kit bicycle birth_certificate school_fees bridging_class"
               " vocational_training health_insurance referral psychosocial medical school_meals"
               " family_reunification" },
    { "household", "tools_safe labour_support iga vsla cash_transfer" },
    { "community", "awareness_community infrastructure" },
  };
  g_autoptr(ClmrsFormSession) s = new_session ("support_record");
  g_autoptr(GPtrArray) entities = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *tomorrow = today_text (1);
  g_autofree char *yesterday = today_text (-1);
  g_autofree char *none = NULL;
  g_autofree char *label = NULL;

  prefill (s, "{\"support\": {\"child_id\": \"" KOFI_ID "\", \"household_id\": \"" HH_ID "\","
              " \"community_id\": \"" COM_ID "\"}}");

  /* No level yet: nothing to choose from. */
  none = choice_values (s, SR "/support_type");
  g_assert_cmpstr (none, ==, "");
  for (gsize i = 0; i < G_N_ELEMENTS (filter); i++)
    {
      g_autofree char *got = NULL;

      set (s, SR "/level", filter[i].level);
      got = choice_values (s, SR "/support_type");
      g_assert_cmpstr (got, ==, filter[i].choices);
    }

  set (s, SR "/level", "child");
  clmrs_form_session_set_language (s, "fr");
  label = choice_label (s, SR "/support_type", "school_kit");
  g_assert_cmpstr (label, ==, "Kit scolaire (uniforme, sac, cahiers)");
  clmrs_form_session_set_language (s, "en");
  g_clear_pointer (&label, g_free);
  label = choice_label (s, SR "/support_type", "school_kit");
  g_assert_cmpstr (label, ==, "School kit (uniform, bag, books)");

  set (s, SR "/support_type", "school_kit");
  set (s, SR "/date", tomorrow);
  assert_check (s, SR "/date", CLMRS_CHECK_CONSTRAINT, "The date cannot be in the future.");
  clmrs_form_session_set_language (s, "fr");
  assert_check (s, SR "/date", CLMRS_CHECK_CONSTRAINT, "La date ne peut pas être dans le futur.");
  clmrs_form_session_set_language (s, "en");
  set (s, SR "/date", yesterday);
  assert_check (s, SR "/date", CLMRS_CHECK_OK, NULL);

  /* issue #11, 11: planned, given or declined */
  g_clear_pointer (&none, g_free);
  none = choice_values (s, SR "/state");
  g_assert_cmpstr (none, ==, "delivered planned declined");
  clmrs_form_session_set_language (s, "fr");
  g_clear_pointer (&label, g_free);
  label = choice_label (s, SR "/state", "planned");
  g_assert_cmpstr (label, ==, "Prévu, pas encore remis");
  clmrs_form_session_set_language (s, "en");
  set (s, SR "/state", "planned");
  set (s, SR "/provider", "Cooperative CAYAT");
  set (s, SR "/quantity", "0");
  assert_check (s, SR "/quantity", CLMRS_CHECK_CONSTRAINT, "Enter 1 or more, or leave empty.");
  set (s, SR "/quantity", "1");
  set (s, SR "/cost", "-5");
  assert_check (s, SR "/cost", CLMRS_CHECK_CONSTRAINT, "The cost cannot be negative.");
  set (s, SR "/cost", NULL);
  assert_check (s, SR "/cost", CLMRS_CHECK_OK, NULL);
  assert_check (s, SR "/description", CLMRS_CHECK_OK, NULL);
  assert_valid (s);

  entities = clmrs_form_session_get_entities (s, "support");
  g_assert_cmpuint (entities->len, ==, 1);
  g_assert_cmpstr (((ClmrsEntityData *) g_ptr_array_index (entities, 0))->ref, ==, SR);
  expected = g_strdup_printf ("{\"support_type\": \"school_kit\", \"child_id\": \"" KOFI_ID "\","
                              " \"household_id\": \"" HH_ID "\", \"community_id\": \"" COM_ID "\","
                              " \"state\": \"planned\", \"date\": \"%s\"}", yesterday);
  assert_fields (((ClmrsEntityData *) g_ptr_array_index (entities, 0))->fields, expected);
}

/* ------------------------------------------------------------------ awareness session */

static void
test_awareness_session (void)
{
  static const struct { const char *men, *women, *boys, *girls; ClmrsCheck check; } totals[] = {
    { "0", "0", "0", "0", CLMRS_CHECK_CONSTRAINT },
    { "0", "0", "0", "1", CLMRS_CHECK_OK },
    { "1", "0", "0", "0", CLMRS_CHECK_OK },
    { "0", "0", "0", "-1", CLMRS_CHECK_CONSTRAINT },
    { "12", "15", "3", "0", CLMRS_CHECK_OK },
  };
  g_autoptr(ClmrsFormSession) s = new_session ("awareness_session");
  g_autoptr(ClmrsFormSession) missing = new_session ("awareness_session");
  g_autoptr(GPtrArray) entities = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *today = today_text (0);
  g_autofree char *topics = NULL;
  g_autofree char *levels = NULL;
  g_autofree char *expected = NULL;
  JsonObject *session;

  /* a session for one household: started from the household, the level
     follows and is not asked again */
  prefill (s, "{\"session\": {\"community_id\": \"" COM_ID "\", \"household_id\": \"" HH_ID "\"}}");
  set (s, AW "/date", today);
  g_assert_false (shown (s, AW "/level"));
  assert_answer (s, AW "/session_level", "household_targeted");
  /* a group session chooses community or school, not "one household" */
  prefill (missing, "{\"session\": {\"community_id\": \"" COM_ID "\"}}");
  g_assert_true (shown (missing, AW "/level"));
  levels = choice_values (missing, AW "/level");
  g_assert_cmpstr (levels, ==, "community school");
  topics = choice_values (s, AW "/topic");
  g_assert_nonnull (strstr (topics, "season_spraying"));
  g_assert_nonnull (strstr (topics, "season_land_clearing"));
  g_assert_nonnull (strstr (topics, "season_harvest"));
  set (s, AW "/topic", "season_spraying");
  g_assert_false (shown (s, AW "/topic_other"));

  for (gsize i = 0; i < G_N_ELEMENTS (totals); i++)
    {
      set (s, AW "/participants/men", totals[i].men);
      set (s, AW "/participants/women", totals[i].women);
      set (s, AW "/participants/boys", totals[i].boys);
      set (s, AW "/participants/girls", totals[i].girls);
      assert_check (s, AW "/participants/girls", totals[i].check, NULL);
    }
  set (s, AW "/participants/girls", "0");
  assert_answer (s, AW "/participants/total", "30");
  set (s, AW "/participants/men", "0");
  set (s, AW "/participants/women", "0");
  set (s, AW "/participants/boys", "0");
  assert_answer (s, AW "/participants/total", "0");
  assert_check (s, AW "/participants/girls", CLMRS_CHECK_CONSTRAINT,
                "Enter 0 or more; at least one person must have taken part.");
  clmrs_form_session_set_language (s, "fr");
  assert_check (s, AW "/participants/girls", CLMRS_CHECK_CONSTRAINT,
                "Entrez 0 ou plus ; au moins une personne doit avoir participé.");
  clmrs_form_session_set_language (s, "en");
  set (s, AW "/participants/boys", "-2");
  assert_check (s, AW "/participants/boys", CLMRS_CHECK_CONSTRAINT, "Enter 0 or more.");
  set (s, AW "/participants/boys", "8");
  set (s, AW "/participants/men", "12");
  set (s, AW "/participants/women", "15");
  assert_answer (s, AW "/participants/total", "35");
  assert_valid (s);

  json = clmrs_form_session_to_json (s);
  session = json_object_get_object_member (json_node_get_object (json), "session");
  g_assert_cmpstr (json_object_get_string_member (session, "household_id"), ==, HH_ID);

  entities = clmrs_form_session_get_entities (s, "awareness");
  g_assert_cmpuint (entities->len, ==, 1);
  expected = g_strdup_printf ("{\"community_id\": \"" COM_ID "\", \"household_id\": \"" HH_ID "\","
                              " \"level\": \"household_targeted\", \"topic\": \"season_spraying\","
                              " \"men\": \"12\", \"women\": \"15\", \"boys\": \"8\", \"girls\": \"0\","
                              " \"date\": \"%s\"}", today);
  assert_fields (((ClmrsEntityData *) g_ptr_array_index (entities, 0))->fields, expected);

  /* a group session must say which level it was */
  problems = clmrs_form_session_validate (missing);
  g_assert_true (problems_name (problems, AW "/level"));
  g_assert_true (problems_name (problems, AW "/date"));
  set (missing, AW "/level", "school");
  assert_answer (missing, AW "/session_level", "school");
}

/* ------------------------------------------------------------------ community profile */

static void
test_community_profile (void)
{
  g_autoptr(ClmrsFormSession) s = new_session ("community_profile");
  g_autoptr(GPtrArray) entities = NULL;
  g_autofree char *countries = NULL;
  g_autofree char *label = NULL;
  g_autofree char *today = today_text (0);
  const Answer answers[] = {
    { "name", "Nkwanta" },
    { "district", "Bibiani" },
    { "country", "gh" },
    { "cooperative", "Kuapa Kokoo" },
    { "gps", NULL },
    { "services/primary_school", "no" },
    { "services/school_distance_km", "4.5" },
    { "services/birth_registration", "yes" },
    { "services/water_point", "yes" },
    { "services/health_centre", "yes" },
    { "services/cpc", "yes" },
    { "services/cpc_active", "no" },
  };

  prefill (s, "{\"community\": {\"community_id\": \"" COM_ID "\"}}");
  set (s, "/community_profile/visit_date", today);
  countries = choice_values (s, CP "/country");
  g_assert_cmpstr (countries, ==, "ci gh");
  clmrs_form_session_set_language (s, "fr");
  label = choice_label (s, CP "/country", "ci");
  g_assert_cmpstr (label, ==, "Côte d'Ivoire");
  clmrs_form_session_set_language (s, "en");

  answer_by_walking (s, CP, answers, G_N_ELEMENTS (answers));
  g_assert_false (shown (s, CP "/services/canteen"));
  g_assert_false (shown (s, CP "/services/health_distance_km"));
  set (s, CP "/services/school_distance_km", "0");
  assert_check (s, CP "/services/school_distance_km", CLMRS_CHECK_CONSTRAINT,
                "Enter a distance in km, more than 0 and at most 200.");
  set (s, CP "/services/school_distance_km", "4.5");
  assert_valid (s);

  {
    g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (s);
    ClmrsPrompt *cpc = find_prompt (prompts, CP "/services/cpc");
    ClmrsPrompt *gps = find_prompt (prompts, CP "/gps");

    g_assert_cmpstr (cpc->screen, ==, CP "/services");
    g_assert_cmpstr (cpc->appearance, ==, NULL);
    g_assert_true (gps->type == CLMRS_TYPE_GEOPOINT);
    g_assert_false (gps->required);
  }

  entities = clmrs_form_session_get_entities (s, "community");
  g_assert_cmpuint (entities->len, ==, 1);
  assert_fields (((ClmrsEntityData *) g_ptr_array_index (entities, 0))->fields,
                 "{\"community_id\": \"" COM_ID "\", \"name\": \"Nkwanta\", \"district\": \"Bibiani\","
                 " \"country\": \"gh\"}");
}

/* ------------------------------------------------------------------ the CLI */


#define FV      "/farm_visit"
#define FCHILD  FV "/children/child"

/* A farm visit (issue 11, item 6): started for a household, it lists no
 * roster (only the children found on the farm); a child already on the
 * household's roster is assessed as that child, a new one is added to the
 * household; each is classified, and the visit is of kind farm. */
static void
test_farm_visit (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clmrs-farm-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "device.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(ClmrsRuleSet) rules = clmrs_rule_set_load_builtin ("gh", &error);
  g_autoptr(ClmrsFormSession) s = NULL;
  g_autoptr(ClmrsFinaliseResult) result = NULL;
  g_autofree char *household_id = NULL;
  g_autofree char *kofi_id = NULL;
  g_autofree char *yao_id = NULL;
  g_autofree char *visit_id = NULL;
  g_autofree char *ref1 = NULL;
  g_autofree char *ref2 = NULL;
  g_autofree char *label = NULL;
  ClmrsStore *store;
  ClmrsPrefill prefill = { .facilitator_id = "F-017", .facilitator_name = "Akosua Boateng",
                           .facilitator_sex = "female", .community_id = COM_ID };
  const Answer kofi_on_farm[] = {
    { "name", "kofi" },
    { "sex", "male" },
    { "age", "9" },
    { "lives_here", "yes" },
    { "assent", "yes" },
    { "respondent", "child" },
    { "in_school", "yes" },
    { "tasks_seen", "pod_breaking_machete" },
    { "tasks_7d", "pod_breaking_machete gathering_pods" },
    { "hours_7d", "10" },
    { "night_work", "no" },
    { "hazard_conditions", "dangerous_tools" },
    { "immediate_danger", "no" },
  };
  const Answer yao[] = {
    { "name", "Yao" },
    { "sex", "male" },
    { "age", "12" },
    { "lives_here", "no" },
    { "assent", "no" },
    { "respondent", "adult" },
    { "in_school", "no" },
    { "tasks_seen", "gathering_pods" },
    { "tasks_7d", "planting" },
    { "hours_7d", "16" },
    { "night_work", "no" },
    { "hazard_conditions", "none" },
    { "immediate_danger", "no" },
  };

  g_assert_no_error (error);
  store = clmrs_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_store_add_community (store, COM_ID, "Asempa", "Ashanti", "gh", &error));
  g_assert_no_error (error);
  {
    g_autoptr(ClmrsFormSession) hv = new_session ("household_visit");
    g_autofree char *r1 = NULL;

    g_assert_true (clmrs_prefill_session (hv, store, &prefill, &error));
    fill_household (hv, "yes");
    r1 = add_child (hv);
    set (hv, CHILD "[1]/identity/name", "Kofi");
    answer_by_walking (hv, r1, kofi, G_N_ELEMENTS (kofi));
    household_id = finalise_household (store, hv, rules, NULL, NULL);
  }
  kofi_id = child_id_named (store, "Kofi");

  prefill.household_id = household_id;
  s = new_session ("farm_visit");
  g_assert_true (clmrs_prefill_session (s, store, &prefill, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (clmrs_form_session_count_repeat (s, FCHILD), ==, 0);
  g_assert_false (shown (s, FCHILD));
  set (s, FV "/farm/spraying", "no");
  set (s, FV "/farm/adults_present", "yes");
  set (s, FV "/farm/children_found", "yes");
  set (s, FV "/farm/farm_id", "COOP-GH-0042");
  /* GPS accuracy worse than 20 m is refused */
  set (s, FV "/farm/gps", "6.69 -1.62 250 35");
  assert_check (s, FV "/farm/gps", CLMRS_CHECK_CONSTRAINT,
                "The location is not precise enough (more than 20 m): wait for a better fix.");
  set (s, FV "/farm/gps", "6.69 -1.62 250 8");
  assert_check (s, FV "/farm/gps", CLMRS_CHECK_OK, NULL);
  g_assert_true (shown (s, FCHILD));
  ref1 = clmrs_form_session_add_repeat (s, FCHILD, &error);
  g_assert_no_error (error);
  answer_by_walking (s, ref1, kofi_on_farm, G_N_ELEMENTS (kofi_on_farm));
  ref2 = clmrs_form_session_add_repeat (s, FCHILD, &error);
  g_assert_no_error (error);
  /* nothing ticked yet: no hours asked; seen doing a task: asked */
  set (s, FCHILD "[2]/name", "Yao");
  set (s, FCHILD "[2]/age", "12");
  g_assert_false (shown (s, FCHILD "[2]/hours_7d"));
  set (s, FCHILD "[2]/tasks_seen", "gathering_pods");
  g_assert_true (shown (s, FCHILD "[2]/hours_7d"));
  label = prompt_label (s, FCHILD "[2]/tasks_seen");
  g_assert_cmpstr (label, ==, "Which of these did you see Yao do on the farm?");
  set (s, FCHILD "[2]/name", NULL);
  set (s, FCHILD "[2]/age", NULL);
  set (s, FCHILD "[2]/tasks_seen", NULL);
  answer_by_walking (s, ref2, yao, G_N_ELEMENTS (yao));
  set (s, FV "/observations", "Two children carrying pods near the drying racks");
  assert_valid (s);

  {
    g_autoptr(GPtrArray) entities = clmrs_form_session_get_entities (s, "child");

    g_assert_cmpuint (entities->len, ==, 2);
    assert_profile (((ClmrsEntityData *) g_ptr_array_index (entities, 1))->profile,
                    "{\"age\": 12, \"sex\": \"male\", \"in_school\": false, \"econ_hours_7d\": 16,"
                    " \"chores_hours_7d\": 0, \"night_work_7d\": false,"
                    " \"tasks_7d\": [\"gathering_pods\", \"planting\"], \"tasks_12m\": [],"
                    " \"hazard_conditions\": [], \"abuse\": [], \"wfcl_signals\": [], \"immediate_danger\": false,"
                    " \"respondent\": \"adult\", \"child_interviewed\": false}");
  }

  visit_id = clmrs_store_draft_create (store, "farm", "farm_visit", "1", "F-017", COM_ID, household_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_visit_finalise (store, visit_id, s, rules, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (result->household_id, ==, household_id);
  g_assert_cmpuint (result->children->len, ==, 2);
  g_assert_cmpint (((ClmrsChildOutcome *) g_ptr_array_index (result->children, 0))->status, ==,
                   CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR);
  g_assert_cmpint (((ClmrsChildOutcome *) g_ptr_array_index (result->children, 1))->status, ==,
                   CLMRS_STATUS_CHILD_LABOUR);

  /* kofi is Kofi: assessed again, not added; Yao is new in the household */
  g_assert_cmpstr (((ClmrsChildOutcome *) g_ptr_array_index (result->children, 0))->child_id, ==, kofi_id);
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM children WHERE household_id = ?1", household_id), ==, 2);
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM assessments WHERE child_id = ?1", kofi_id), ==, 2);
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM children WHERE name = ?1", "Kofi"), ==, 1);
  yao_id = child_id_named (store, "Yao");
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM visits WHERE id = ?1 AND kind = 'farm' AND state = 'final'",
                               visit_id), ==, 1);
  /* identified at the farm: Yao's case is open */
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM cases WHERE child_id = ?1 AND open = 1", yao_id), ==, 1);
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM outbox WHERE record_id = ?1", visit_id), ==, 1);

  clmrs_store_close (store);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

/* `clmrs classify --rules RULES` on one profile: its one line of output. */
static char *
classify_cli (const char *rules,
              JsonObject *profile)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *in = NULL;
  char *out = NULL;
  g_autofree char *err = NULL;

  json_node_set_object (node, profile);
  in = json_to_string (node, FALSE);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           g_getenv ("CLMRS_CLI"), "classify", "--rules", rules, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, in, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("classify %s: %s -> %s%s", rules, in, out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  return out;
}

/* SIMPOC order: the activity list, then the hours.  A 9-year-old whose
 * family says "no work" but who planted and gathered pods is asked the
 * hours, and classified by them (issue 11, item 4). */
static void
test_household_hours_when_task_ticked (void)
{
  g_autoptr(ClmrsFormSession) s = new_session ("household_visit");
  g_autoptr(GPtrArray) entities = NULL;
  g_autofree char *ref = NULL;
  g_autofree char *label = NULL;
  g_autofree char *out = NULL;
  const char *c = CHILD "[1]";
  g_autofree char *hours = g_strconcat (c, "/work/econ/hours_7d", NULL);
  g_autofree char *worked = g_strconcat (c, "/work/econ/worked_7d", NULL);
  g_autofree char *tasks = g_strconcat (c, "/work/tasks_7d", NULL);
  g_autofree char *econ = g_strconcat (c, "/econ_hours_7d_p", NULL);
  const Answer akosua[] = {
    { "identity/name", "Akosua" },
    { "identity/sex", "female" },
    { "identity/dob", NULL },
    { "identity/age", "9" },
    { "relationship", "grandchild" },
    { "parents", "mother" },
    { "decided", "parents" },
    { "origin", "this_community" },
    { "present", "yes" },
    { "assent", "yes" },
    { "respondent", "child_and_adult" },
    { "birth_certificate", "yes" },
    { "school/in_school", "yes" },
    { "school/grade", "primary_3" },
    { "school/school_name", NULL },
    { "school/days_missed", "0" },
    { "work/econ/worked_7d", "no" },
    { "work/tasks_7d", "planting gathering_pods" },
    { "work/tasks_12m", "planting gathering_pods" },
    { "work/econ/hours_7d", "6" },
    { "work/econ/load_kg", "5" },
    { "work/works_for", "parents" },
    { "work/work_why", "help_family" },
    { "work/night_work", "no" },
    { "work/hazard_conditions", "none" },
    { "work/injury/injured_12m", "no" },
    { "work/abuse", "none" },
    { "work/chores_hours_7d", "5" },
    { "wfcl/brought_for_work", "no" },
    { "wfcl/not_free", "no" },
    { "wfcl/works_off_debt", "no" },
    { "wfcl/sexual_exploitation", "no" },
    { "wfcl/illicit_activities", "no" },
    { "wfcl/armed_recruitment", "no" },
    { "danger/immediate_danger", "no" },
  };

  fill_household (s, "yes");
  ref = add_child (s);
  set (s, CHILD "[1]/identity/age", "9");
  set (s, worked, "no");
  set (s, tasks, "none");
  g_assert_false (shown (s, hours));
  assert_answer (s, econ, "0");
  /* A task ticked is work: its hours are asked, whatever "did the child work" said. */
  set (s, tasks, "planting gathering_pods");
  g_assert_true (shown (s, hours));
  assert_check (s, hours, CLMRS_CHECK_REQUIRED, NULL);
  set (s, CHILD "[1]/identity/name", "Akosua");
  label = prompt_label (s, hours);
  g_assert_cmpstr (label, ==, "In the last 7 days, how many hours in all did Akosua work, counting every task above?");
  /* the hours come after the task lists on the screens */
  {
    g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (s);
    guint at_tasks = G_MAXUINT, at_hours = G_MAXUINT;

    for (guint i = 0; i < prompts->len; i++)
      {
        ClmrsPrompt *p = g_ptr_array_index (prompts, i);
        if (g_strcmp0 (p->ref, CHILD "[1]/work/tasks_12m") == 0)
          at_tasks = i;
        if (g_strcmp0 (p->ref, hours) == 0)
          at_hours = i;
      }
    g_assert_cmpuint (at_tasks, <, at_hours);
  }
  set (s, CHILD "[1]/identity/age", NULL);
  set (s, tasks, NULL);
  set (s, worked, NULL);
  answer_by_walking (s, CHILD "[1]", akosua, G_N_ELEMENTS (akosua));
  assert_valid (s);
  assert_answer (s, econ, "6");

  entities = clmrs_form_session_get_entities (s, "child");
  g_assert_cmpuint (entities->len, ==, 1);
  out = classify_cli ("gh", ((ClmrsEntityData *) g_ptr_array_index (entities, 0))->profile);
  g_assert_true (g_str_has_prefix (out, "{\"status\":\"child_labour\""));
  g_assert_nonnull (strstr (out, "\"code\":\"below_light_work_age\""));
  g_assert_nonnull (strstr (out, "6 h of economic work in the last 7 days at age 9"));

  /* A load over 25 kg is carrying heavy loads, ticked or not (issue 11, item 12) */
  assert_answer (s, CHILD "[1]/tasks_7d_p", "planting gathering_pods");
  set (s, CHILD "[1]/work/econ/load_kg", "25");
  assert_answer (s, CHILD "[1]/tasks_7d_p", "planting gathering_pods");
  set (s, CHILD "[1]/work/econ/load_kg", "30");
  assert_answer (s, CHILD "[1]/tasks_7d_p", "planting gathering_pods heavy_loads");
  set (s, CHILD "[1]/work/econ/load_kg", "101");
  assert_check (s, CHILD "[1]/work/econ/load_kg", CLMRS_CHECK_CONSTRAINT, "Enter a weight from 0 to 100 kg.");
}

/* Abuse is asked over a stated period: the last 12 months at the household
 * visit, since the last visit at a follow-up, and the rules say which
 * (issue 11, item 5). */
static void
test_abuse_recall_wording (void)
{
  static const struct { const char *form, *ref, *en, *fr; } cases[] = {
    { "household_visit", CHILD "[1]/work/abuse",
      "In the last 12 months, at work, did any of these happen to Efua?",
      "Au cours des 12 derniers mois, au travail, est-ce que l'une de ces choses est arrivée à Efua ?" },
    { "follow_up_visit", FU "/work/abuse",
      "Since the last visit, at work, did any of these happen to Efua?",
      "Depuis la dernière visite, au travail, est-ce que l'une de ces choses est arrivée à Efua ?" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ClmrsFormSession) s = new_session (cases[i].form);
      g_autoptr(GPtrArray) entities = NULL;
      g_autofree char *en = NULL, *fr = NULL, *out = NULL;
      gboolean fu = g_str_equal (cases[i].form, "follow_up_visit");
      const char *base = fu ? FU : CHILD "[1]";
      g_autofree char *name = g_strconcat (base, fu ? "/name" : "/identity/name", NULL);
      g_autofree char *age = g_strconcat (base, "/identity/age", NULL);
      g_autofree char *tasks = g_strconcat (base, "/work/tasks_12m", NULL);
      g_autofree char *abuse_p = g_strconcat (base, "/abuse_p", NULL);
      JsonObject *profile;

      if (fu)
        set (s, FU "/child_status", "present");
      else
        {
          g_autofree char *ref = NULL;
          set (s, HV "/household/consent", "yes");
          ref = add_child (s);
        }
      set (s, name, "Efua");
      set (s, age, "12");
      set (s, tasks, "planting");
      en = prompt_label (s, cases[i].ref);
      g_assert_cmpstr (en, ==, cases[i].en);
      clmrs_form_session_set_language (s, "fr");
      fr = prompt_label (s, cases[i].ref);
      g_assert_cmpstr (fr, ==, cases[i].fr);
      clmrs_form_session_set_language (s, "en");

      set (s, cases[i].ref, "beaten");
      assert_answer (s, abuse_p, "beaten");
      entities = clmrs_form_session_get_entities (s, "child");
      profile = ((ClmrsEntityData *) g_ptr_array_index (entities, 0))->profile;
      g_assert_cmpstr (json_object_get_string_member (profile, "abuse_recall"), ==,
                       fu ? "since_last_visit" : "12m");
      /* the profile is incomplete (only what this test answered): fill the rest as a form would */
      json_object_set_boolean_member (profile, "in_school", TRUE);
      json_object_set_double_member (profile, "econ_hours_7d", 2);
      json_object_set_double_member (profile, "chores_hours_7d", 0);
      json_object_set_boolean_member (profile, "night_work_7d", FALSE);
      json_object_set_boolean_member (profile, "immediate_danger", FALSE);
      if (!json_object_has_member (profile, "sex"))
        json_object_set_string_member (profile, "sex", "female");
      if (!json_object_has_member (profile, "hazard_conditions"))
        json_object_set_array_member (profile, "hazard_conditions", json_array_new ());
      if (!json_object_has_member (profile, "wfcl_signals"))
        json_object_set_array_member (profile, "wfcl_signals", json_array_new ());
      if (!json_object_has_member (profile, "tasks_7d"))
        json_object_set_array_member (profile, "tasks_7d", json_array_new ());
      out = classify_cli ("gh", profile);
      g_assert_true (g_str_has_prefix (out, "{\"status\":\"hazardous_child_labour\""));
      g_assert_nonnull (strstr (out, fu ? "abuse at work (beaten) since the last visit at age 12"
                                        : "abuse at work (beaten) in the last 12 months at age 12"));
      g_assert_nonnull (strstr (out, fu ? "\"recall\":\"7d\"" : "\"recall\":\"12m\""));
    }
}

/* Who answered, and whether the child agreed: only an adult can have
 * answered for a child who is away or said no (issue 11, item 12). */
static void
test_household_respondent (void)
{
  g_autoptr(ClmrsFormSession) s = new_session ("household_visit");
  g_autoptr(GPtrArray) entities = NULL;
  g_autofree char *ref = NULL;

  set (s, HV "/household/consent", "yes");
  ref = add_child (s);
  set (s, CHILD "[1]/identity/name", "Kojo");
  set (s, CHILD "[1]/identity/age", "11");
  set (s, CHILD "[1]/present", "no");
  g_assert_false (shown (s, CHILD "[1]/assent"));
  g_assert_true (shown (s, CHILD "[1]/respondent"));
  set (s, CHILD "[1]/respondent", "child");
  assert_check (s, CHILD "[1]/respondent", CLMRS_CHECK_CONSTRAINT,
                "Only an adult can have answered: the child is not here or did not agree.");
  set (s, CHILD "[1]/present", "yes");
  g_assert_true (shown (s, CHILD "[1]/assent"));
  set (s, CHILD "[1]/assent", "no");
  assert_check (s, CHILD "[1]/respondent", CLMRS_CHECK_CONSTRAINT, NULL);
  set (s, CHILD "[1]/assent", "yes");
  assert_check (s, CHILD "[1]/respondent", CLMRS_CHECK_OK, NULL);
  assert_answer (s, CHILD "[1]/child_interviewed_p", "true");
  set (s, CHILD "[1]/respondent", "adult");
  assert_answer (s, CHILD "[1]/child_interviewed_p", "false");
  entities = clmrs_form_session_get_entities (s, "child");
  g_assert_false (json_object_get_boolean_member (((ClmrsEntityData *) g_ptr_array_index (entities, 0))->profile,
                                                  "child_interviewed"));
  /* out of scope: neither is asked */
  set (s, CHILD "[1]/identity/age", "3");
  g_assert_false (shown (s, CHILD "[1]/assent"));
  g_assert_false (shown (s, CHILD "[1]/respondent"));
}

static void
run_cli (const char * const *args,
         int                *status,
         char              **out,
         char              **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *cli = g_getenv ("CLMRS_CLI");
  int wait_status = 0;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  *status = WEXITSTATUS (wait_status);
}

static void
test_cli_check (void)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = -1;

  /* All shipped forms in one call: one "FILE: ok" line each. */
  g_ptr_array_add (args, g_strdup ("forms"));
  g_ptr_array_add (args, g_strdup ("check"));
  for (gsize i = 0; i < G_N_ELEMENTS (shipped); i++)
    {
      g_autofree char *name = g_strconcat (shipped[i], ".xml", NULL);
      g_ptr_array_add (args, g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), "assets", "forms", name, NULL));
    }
  g_ptr_array_add (args, NULL);
  run_cli ((const char * const *) args->pdata, &status, &out, &err);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (shipped); i++)
    {
      g_autofree char *line = g_strconcat ((const char *) g_ptr_array_index (args, i + 2), ": ok\n", NULL);
      g_assert_nonnull (strstr (out, line));
    }

  /* The same command refuses a broken copy, so the "ok" above means something. */
  {
    g_autofree char *path = g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), "assets", "forms",
                                              "awareness_session.xml", NULL);
    g_autofree char *text = NULL;
    g_autofree char *broken = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *copy = NULL;
    g_autofree char *broken_out = NULL;
    g_autofree char *broken_err = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) parts = NULL;
    const char *broken_args[] = { "forms", "check", NULL, NULL };

    g_assert_true (g_file_get_contents (path, &text, NULL, &error));
    g_assert_no_error (error);
    /* The first mention with a closing quote is the bind's nodeset. */
    parts = g_strsplit (text, "/awareness_session/session/topic_other\"", 2);
    g_assert_cmpuint (g_strv_length (parts), ==, 2);
    broken = g_strjoinv ("/awareness_session/session/no_such_node\"", parts);
    dir = g_dir_make_tmp ("clmrs-forms-XXXXXX", &error);
    g_assert_no_error (error);
    copy = g_build_filename (dir, "broken.xml", NULL);
    g_assert_true (g_file_set_contents (copy, broken, -1, &error));
    g_assert_no_error (error);
    broken_args[2] = copy;
    run_cli (broken_args, &status, &broken_out, &broken_err);
    g_test_message ("broken: %s%s", broken_out, broken_err);
    g_assert_cmpint (status, ==, 3);
    g_assert_true (strstr (broken_out, "no_such_node") != NULL || strstr (broken_err, "no_such_node") != NULL);
    g_assert_null (strstr (broken_out, ": ok"));
    g_unlink (copy);
    g_rmdir (dir);
  }
}

/* Issue #11, 3: the closure form closes a child's case with its reason;
 * the case leaves the follow-ups list and says why. */
static void
test_case_closure (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clmrs-closure-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "device.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(ClmrsRuleSet) rules = clmrs_rule_set_load_builtin ("gh", &error);
  g_autofree char *household_id = NULL;
  g_autofree char *kofi_id = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(ClmrsHouseholdFile) file = NULL;
  ClmrsStore *store;
  ClmrsPrefill prefill = { .facilitator_id = "F-017", .facilitator_name = "Akosua Boateng",
                           .facilitator_sex = "female", .community_id = COM_ID };
  ClmrsHouseholdChild *child = NULL;
  GDate later;

  g_assert_no_error (error);
  store = clmrs_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (clmrs_store_add_community (store, COM_ID, "Asempa", "Ashanti", "gh", &error));
  {
    g_autoptr(ClmrsFormSession) s = new_session ("household_visit");
    g_autofree char *ref1 = NULL;

    g_assert_true (clmrs_prefill_session (s, store, &prefill, &error));
    fill_household (s, "yes");
    ref1 = add_child (s);
    set (s, CHILD "[1]/identity/name", "Kofi");
    answer_by_walking (s, ref1, kofi, G_N_ELEMENTS (kofi));
    household_id = finalise_household (store, s, rules, NULL, NULL);
  }
  kofi_id = child_id_named (store, "Kofi");
  /* identified in hazardous work: on the follow-ups list within 7 months */
  clmrs_date_today (&later);
  g_date_add_months (&later, 7);
  due = clmrs_casebook_follow_ups_due (store, &later, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* the closure form: the child pre-filled, the reason asked, the
   * questions of each reason */
  prefill.household_id = household_id;
  prefill.child_id = kofi_id;
  {
    g_autoptr(ClmrsFormSession) s = new_session ("case_closure");
    g_autoptr(ClmrsFinaliseResult) result = NULL;
    g_autoptr(ClmrsForm) form = clmrs_form_load_builtin ("case_closure", &error);
    g_autofree char *label = NULL;
    g_autofree char *visit_id = NULL;

    g_assert_true (clmrs_prefill_session (s, store, &prefill, &error));
    g_assert_no_error (error);
    assert_answer (s, "/case_closure/child/name", "Kofi");
    assert_answer (s, "/case_closure/child/child_id", kofi_id);
    label = prompt_label (s, "/case_closure/child/closure_reason");
    g_assert_cmpstr (label, ==, "Why is Kofi's case closed?");
    set (s, "/case_closure/child/closure_reason", "duplicate");
    g_assert_true (shown (s, "/case_closure/child/merged_into"));
    g_assert_false (shown (s, "/case_closure/child/moved_where"));
    set (s, "/case_closure/child/closure_reason", "moved_out");
    g_assert_false (shown (s, "/case_closure/child/merged_into"));
    g_assert_true (shown (s, "/case_closure/child/moved_where"));
    set (s, "/case_closure/child/moved_where", "To Kumasi with his uncle");
    set (s, "/case_closure/child/source", "His mother");
    assert_valid (s);
    visit_id = clmrs_store_draft_create (store, "closure", "case_closure", clmrs_form_get_version (form),
                                         "F-017", COM_ID, household_id, kofi_id, &error);
    g_assert_no_error (error);
    g_assert_true (clmrs_visit_finalise (store, visit_id, s, rules, NULL, &result, &error));
    g_assert_no_error (error);
  }

  /* closed: off the list, and the household file says why */
  due = clmrs_casebook_follow_ups_due (store, &later, 0, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 0);
  file = clmrs_casebook_household (store, household_id, &later, NULL, 10, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < file->children->len; i++)
    if (g_strcmp0 (((ClmrsHouseholdChild *) g_ptr_array_index (file->children, i))->child_id, kofi_id) == 0)
      child = g_ptr_array_index (file->children, i);
  g_assert_nonnull (child);
  g_assert_cmpint (child->kase.status, ==, CLMRS_CASE_CLOSED);
  g_assert_cmpint (child->kase.closure_reason, ==, CLMRS_CLOSURE_MOVED_OUT);
  /* and it leaves as a visit record */
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM outbox WHERE type = 'visit' AND record_id IN"
                                      " (SELECT id FROM visits WHERE kind = 'closure' AND child_id = ?1)",
                               kofi_id), ==, 1);

  clmrs_store_close (store);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shipped-forms/all-load-and-check", test_all_load);
  g_test_add_func ("/shipped-forms/french-labels", test_french_labels);
  g_test_add_func ("/shipped-forms/household/consent", test_household_consent);
  g_test_add_func ("/shipped-forms/household/age-constraint", test_household_age_constraint);
  g_test_add_func ("/shipped-forms/household/age-from-dob", test_household_age_from_dob);
  g_test_add_func ("/shipped-forms/household/work-relevance", test_household_work_relevance);
  g_test_add_func ("/shipped-forms/household/hours-when-task-ticked", test_household_hours_when_task_ticked);
  g_test_add_func ("/shipped-forms/household/respondent", test_household_respondent);
  g_test_add_func ("/shipped-forms/abuse-recall-wording", test_abuse_recall_wording);
  g_test_add_func ("/shipped-forms/farm-visit", test_farm_visit);
  g_test_add_func ("/shipped-forms/household/roster", test_household_roster);
  g_test_add_func ("/shipped-forms/household/revisit", test_household_revisit);
  g_test_add_func ("/shipped-forms/follow-up", test_follow_up);
  g_test_add_func ("/shipped-forms/case-closure", test_case_closure);
  g_test_add_func ("/shipped-forms/support-record", test_support_record);
  g_test_add_func ("/shipped-forms/awareness-session", test_awareness_session);
  g_test_add_func ("/shipped-forms/community-profile", test_community_profile);
  g_test_add_func ("/shipped-forms/cli-forms-check", test_cli_check);
  return g_test_run ();
}
