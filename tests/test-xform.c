/* test-xform.c: the XForms engine loads, fills, recalculates and refuses forms as documented. */
#include "util.h"
#include "xform.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "xform-test-helpers.h"

/* A small form: relevance, required, constraint, a calculation chain. */
static const char simple_form[] =
  HEAD
  "<h:head><h:title>Simple</h:title><model>\n"
  "<instance><data id=\"simple\" version=\"3\">\n"
  "  <name/><age/><adult/><label_age/><school/><grade/><consent>yes</consent>\n"
  "  <meta><instanceID/></meta>\n"
  "</data></instance>\n"
  "<bind nodeset=\"/data/name\" type=\"string\" required=\"true()\"/>\n"
  "<bind nodeset=\"/data/age\" type=\"int\" constraint=\". &gt;= 0 and . &lt; 120\" jr:constraintMsg=\"Age 0-119\"/>\n"
  "<bind nodeset=\"/data/adult\" type=\"string\" calculate=\"if(/data/age &gt;= 18, 'yes', 'no')\"/>\n"
  "<bind nodeset=\"/data/label_age\" type=\"string\" calculate=\"concat(/data/name, ':', /data/adult)\"/>\n"
  "<bind nodeset=\"/data/school\" type=\"select1\" relevant=\"/data/adult = 'no'\"/>\n"
  "<bind nodeset=\"/data/grade\" type=\"int\" relevant=\"selected(/data/school, 'yes')\" required=\"true()\"/>\n"
  "<bind nodeset=\"/data/consent\" type=\"select1\"/>\n"
  "<bind nodeset=\"/data/meta/instanceID\" type=\"string\" readonly=\"true()\" jr:preload=\"uid\"/>\n"
  "</model></h:head>\n"
  "<h:body>\n"
  "<input ref=\"/data/name\"><label>Name</label></input>\n"
  "<input ref=\"/data/age\"><label>Age of <output value=\"/data/name\"/></label><hint>years</hint></input>\n"
  "<select1 ref=\"/data/school\"><label>In school?</label>\n"
  "  <item><label>Yes</label><value>yes</value></item><item><label>No</label><value>no</value></item></select1>\n"
  "<input ref=\"/data/grade\"><label>Grade</label></input>\n"
  "<select1 ref=\"/data/consent\"><label>Consent</label>\n"
  "  <item><label>Yes</label><value>yes</value></item><item><label>No</label><value>no</value></item></select1>\n"
  "</h:body></h:html>\n";

static ClmrsForm *
load (const char *text)
{
  g_autoptr(GError) error = NULL;
  ClmrsForm *form = clmrs_form_load_data (text, strlen (text), "test.xml", &error);

  g_assert_no_error (error);
  g_assert_nonnull (form);
  return form;
}

static void
test_simple_fill (void)
{
  g_autoptr(ClmrsForm) form = load (simple_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) prompts = NULL;
  ClmrsPrompt *prompt;

  g_assert_cmpstr (clmrs_form_get_id (form), ==, "simple");
  g_assert_cmpstr (clmrs_form_get_version (form), ==, "3");
  g_assert_cmpstr (clmrs_form_get_title (form), ==, "Simple");
  g_assert_true (g_str_has_prefix (clmrs_form_session_get_instance_id (session), "uuid:"));

  g_assert_true (clmrs_form_session_set_answer (session, "/data/name", "Ama", &error));
  g_assert_no_error (error);
  g_assert_true (clmrs_form_session_set_answer (session, "/data/age", "12", &error));
  g_assert_no_error (error);
  assert_answer (session, "/data/adult", "no");
  assert_answer (session, "/data/label_age", "Ama:no");

  prompts = clmrs_form_session_get_prompts (session);
  prompt = find_prompt (prompts, "/data/age");
  g_assert_nonnull (prompt);
  g_assert_cmpstr (prompt->label, ==, "Age of Ama");
  g_assert_cmpstr (prompt->hint, ==, "years");
  g_assert_cmpstr (prompt->value, ==, "12");
  g_assert_cmpint (prompt->type, ==, CLMRS_TYPE_INT);
  g_assert_nonnull (find_prompt (prompts, "/data/school"));
  g_assert_null (find_prompt (prompts, "/data/grade"));
  g_clear_pointer (&prompts, g_ptr_array_unref);

  g_assert_true (clmrs_form_session_set_answer (session, "/data/school", "yes", &error));
  g_assert_no_error (error);
  prompts = clmrs_form_session_get_prompts (session);
  g_assert_nonnull (find_prompt (prompts, "/data/grade"));
  g_assert_cmpint (clmrs_form_session_check (session, "/data/grade", NULL), ==, CLMRS_CHECK_REQUIRED);

  g_assert_true (clmrs_form_session_set_answer (session, "/data/age", "30", &error));
  assert_answer (session, "/data/adult", "yes");
  g_clear_pointer (&prompts, g_ptr_array_unref);
  prompts = clmrs_form_session_get_prompts (session);
  g_assert_null (find_prompt (prompts, "/data/school"));
  g_assert_cmpint (clmrs_form_session_check (session, "/data/school", NULL), ==, CLMRS_CHECK_OK);

  /* As in ODK Collect, expressions see a non-relevant answer as empty, so
   * grade (relevant when school is yes) goes too; the answers are kept
   * aside and come back with relevance. */
  g_assert_null (find_prompt (prompts, "/data/grade"));
  assert_answer (session, "/data/school", "yes");
  g_assert_true (clmrs_form_session_set_answer (session, "/data/grade", "5", &error));
  g_assert_true (clmrs_form_session_set_answer (session, "/data/age", "10", &error));
  g_clear_pointer (&prompts, g_ptr_array_unref);
  prompts = clmrs_form_session_get_prompts (session);
  g_assert_cmpstr (find_prompt (prompts, "/data/school")->value, ==, "yes");
  g_assert_cmpstr (find_prompt (prompts, "/data/grade")->value, ==, "5");
  g_assert_true (clmrs_form_session_set_answer (session, "/data/school", "no", &error));
  g_clear_pointer (&prompts, g_ptr_array_unref);
  prompts = clmrs_form_session_get_prompts (session);
  g_assert_null (find_prompt (prompts, "/data/grade"));
  g_assert_cmpint (clmrs_form_session_check (session, "/data/grade", NULL), ==, CLMRS_CHECK_OK);
}


/* Itext in two languages, a roster repeat with jr:template, relative and
 * absolute refs inside it, an itemset filtered by an earlier answer, a
 * field-list screen, entities and profile fields. */
static const char household_form[] =
  HEAD
  "<h:head><h:title>Household</h:title><model>\n"
  "<itext>\n"
  " <translation lang='English (en)' default='true()'>\n"
  "  <text id='/hh/head:label'><value>Head of household</value></text>\n"
  "  <text id='/hh/children:label'><value>Children</value></text>\n"
  "  <text id='/hh/children/child/name:label'><value>Name of child <output value='position(..)'/></value></text>\n"
  "  <text id='/hh/children/child/age:label'><value>Age of <output value='../name'/></value></text>\n"
  "  <text id='/hh/children/child/age:constraintMsg'><value>Age must be 0 to 17</value></text>\n"
  "  <text id='/hh/children/child/works:label'><value>Does <output value='/hh/children/child/name'/> work?</value></text>\n"
  "  <text id='yes'><value>Yes</value><value form='short'>Y</value></text>\n"
  "  <text id='no'><value>No</value></text>\n"
  " </translation>\n"
  " <translation lang='French (fr)'>\n"
  "  <text id='/hh/head:label'><value>Chef de ménage</value></text>\n"
  "  <text id='/hh/children:label'><value>Enfants</value></text>\n"
  "  <text id='/hh/children/child/name:label'><value>Nom de l'enfant <output value='position(..)'/></value></text>\n"
  "  <text id='/hh/children/child/age:label'><value>Âge de <output value='../name'/></value></text>\n"
  "  <text id='/hh/children/child/age:constraintMsg'><value>L'âge doit être de 0 à 17 ans</value></text>\n"
  "  <text id='/hh/children/child/works:label'><value><output value='/hh/children/child/name'/> travaille-t-il ?</value></text>\n"
  "  <text id='yes'><value>Oui</value></text>\n"
  "  <text id='no'><value>Non</value></text>\n"
  " </translation>\n"
  "</itext>\n"
  "<instance><hh id='household' version='7'>\n"
  "  <region/><district/><head/>\n"
  "  <children><child jr:template=''>\n"
  "    <child_id/><name/><sex/><age/><in_school/><works>no</works><hours/><tasks/><econ_hours/><note/>\n"
  "  </child></children>\n"
  "  <total_hours/><roster_size/>\n"
  "  <meta><instanceID/></meta>\n"
  "</hh></instance>\n"
  "<instance id='districts'><root>\n"
  "  <item><name>d1</name><label>North 1</label><region>north</region></item>\n"
  "  <item><name>d2</name><label>North 2</label><region>north</region></item>\n"
  "  <item><name>d3</name><label>South 1</label><region>south</region></item>\n"
  "</root></instance>\n"
  "<bind nodeset='/hh' clmrs:entity='household'/>\n"
  "<bind nodeset='/hh/region' type='select1' required='true()'/>\n"
  "<bind nodeset='/hh/district' type='select1'/>\n"
  "<bind nodeset='/hh/head' type='string' clmrs:field='head_name'/>\n"
  "<bind nodeset='/hh/children/child' clmrs:entity='child'/>\n"
  "<bind nodeset='/hh/children/child/child_id' type='string' clmrs:field='child_id'/>\n"
  "<bind nodeset='/hh/children/child/name' type='string' required='true()' clmrs:field='name'/>\n"
  "<bind nodeset='/hh/children/child/sex' type='select1' clmrs:profile='sex' clmrs:field='sex'/>\n"
  "<bind nodeset='/hh/children/child/age' type='int' constraint='. &lt;= 17'"
  "      jr:constraintMsg=\"jr:itext('/hh/children/child/age:constraintMsg')\" clmrs:profile='age' clmrs:field='age'/>\n"
  "<bind nodeset='/hh/children/child/in_school' type='select1' clmrs:profile='in_school'/>\n"
  "<bind nodeset='/hh/children/child/works' type='select1' relevant='../age &gt;= 5'/>\n"
  "<bind nodeset='/hh/children/child/hours' type='decimal' relevant=\"../works = 'yes'\" required='true()'/>\n"
  "<bind nodeset='/hh/children/child/tasks' type='select' relevant=\"../works = 'yes'\" clmrs:profile='tasks_7d'/>\n"
  "<bind nodeset='/hh/children/child/econ_hours' type='decimal'"
  "      calculate=\"if(/hh/children/child/works = 'yes', ../hours, 0)\" clmrs:profile='econ_hours_7d'/>\n"
  "<bind nodeset='/hh/children/child/note' type='string' calculate=\"concat(/hh/children/child/name, '-', ../age)\"/>\n"
  "<bind nodeset='/hh/total_hours' type='decimal' calculate='sum(/hh/children/child/econ_hours)'/>\n"
  "<bind nodeset='/hh/roster_size' type='int' calculate='count(/hh/children/child)'/>\n"
  "<bind nodeset='/hh/meta/instanceID' type='string' readonly='true()' calculate=\"concat('uuid:', uuid())\"/>\n"
  "</model></h:head>\n"
  "<h:body>\n"
  "<group appearance='field-list'><label>Location</label>\n"
  "  <select1 ref='/hh/region'><label>Region</label>\n"
  "    <item><label>North</label><value>north</value></item><item><label>South</label><value>south</value></item></select1>\n"
  "  <select1 ref='/hh/district'><label>District</label>\n"
  "    <itemset nodeset='instance(\"districts\")/root/item[region = current()/../region]'>\n"
  "      <value ref='name'/><label ref='label'/></itemset></select1>\n"
  "</group>\n"
  "<input ref='/hh/head'><label ref=\"jr:itext('/hh/head:label')\"/></input>\n"
  "<group ref='/hh/children'><label ref=\"jr:itext('/hh/children:label')\"/>\n"
  " <repeat nodeset='/hh/children/child'>\n"
  "  <input ref='/hh/children/child/name'><label ref=\"jr:itext('/hh/children/child/name:label')\"/></input>\n"
  "  <select1 ref='/hh/children/child/sex'><label>Sex</label>\n"
  "    <item><label>Male</label><value>male</value></item><item><label>Female</label><value>female</value></item></select1>\n"
  "  <input ref='/hh/children/child/age'><label ref=\"jr:itext('/hh/children/child/age:label')\"/></input>\n"
  "  <select1 ref='/hh/children/child/in_school'><label>In school?</label>\n"
  "    <item><label ref=\"jr:itext('yes')\"/><value>yes</value></item><item><label ref=\"jr:itext('no')\"/><value>no</value></item></select1>\n"
  "  <select1 ref='/hh/children/child/works'><label ref=\"jr:itext('/hh/children/child/works:label')\"/>\n"
  "    <item><label ref=\"jr:itext('yes')\"/><value>yes</value></item><item><label ref=\"jr:itext('no')\"/><value>no</value></item></select1>\n"
  "  <input ref='/hh/children/child/hours'><label>Hours</label></input>\n"
  "  <select ref='/hh/children/child/tasks'><label>Tasks</label>\n"
  "    <item><label>Land clearing</label><value>land_clearing</value></item>\n"
  "    <item><label>Pod breaking</label><value>pod_breaking_machete</value></item>\n"
  "    <item><label>Water</label><value>fetching_water</value></item></select>\n"
  " </repeat>\n"
  "</group>\n"
  "</h:body></h:html>\n";

static void
set_ok (ClmrsFormSession *session,
        const char       *ref,
        const char       *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (clmrs_form_session_set_answer (session, ref, value, &error));
  g_assert_no_error (error);
}

static char *
add_child (ClmrsFormSession *session)
{
  g_autoptr(GError) error = NULL;
  char *ref = clmrs_form_session_add_repeat (session, "/hh/children/child", &error);

  g_assert_no_error (error);
  g_assert_nonnull (ref);
  return ref;
}

static void
fill_household (ClmrsFormSession *session)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  set_ok (session, "/hh/region", "north");
  set_ok (session, "/hh/district", "d2");
  set_ok (session, "/hh/head", "Kofi");
  first = add_child (session);
  g_assert_cmpstr (first, ==, "/hh/children/child[1]");
  second = add_child (session);
  g_assert_cmpstr (second, ==, "/hh/children/child[2]");
  set_ok (session, "/hh/children/child[1]/name", "Ama");
  set_ok (session, "/hh/children/child[1]/sex", "female");
  set_ok (session, "/hh/children/child[1]/age", "12");
  set_ok (session, "/hh/children/child[1]/in_school", "yes");
  set_ok (session, "/hh/children/child[1]/works", "yes");
  set_ok (session, "/hh/children/child[1]/hours", "6.5");
  set_ok (session, "/hh/children/child[1]/tasks", "land_clearing  fetching_water");
  set_ok (session, "/hh/children/child[2]/name", "Yaw");
  set_ok (session, "/hh/children/child[2]/sex", "male");
  set_ok (session, "/hh/children/child[2]/age", "4");
  set_ok (session, "/hh/children/child[2]/in_school", "no");
}

static void
test_repeats_and_itext (void)
{
  g_autoptr(ClmrsForm) form = load (household_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) prompts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *third = NULL;
  const char * const *languages = clmrs_form_get_languages (form);
  ClmrsPrompt *prompt;
  char *message = NULL;

  g_assert_cmpuint (g_strv_length ((char **) languages), ==, 2);
  g_assert_cmpstr (languages[0], ==, "English (en)");
  g_assert_cmpstr (languages[1], ==, "French (fr)");
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/hh/children/child"), ==, 0);

  /* Before any child: the add prompt, labelled by the enclosing group. */
  prompts = clmrs_form_session_get_prompts (session);
  prompt = find_prompt (prompts, "/hh/children/child");
  g_assert_nonnull (prompt);
  g_assert_cmpint (prompt->kind, ==, CLMRS_PROMPT_REPEAT_ADD);
  g_assert_cmpstr (prompt->label, ==, "Children");
  prompt = find_prompt (prompts, "/hh/region");
  g_assert_nonnull (prompt->screen);
  g_assert_cmpstr (prompt->screen, ==, find_prompt (prompts, "/hh/district")->screen);
  g_assert_null (find_prompt (prompts, "/hh/head")->screen);
  g_assert_true (find_prompt (prompts, "/hh/region")->required);
  g_clear_pointer (&prompts, g_ptr_array_unref);

  fill_household (session);
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/hh/children/child"), ==, 2);

  /* Calculations inside and across repeat instances. */
  assert_answer (session, "/hh/children/child[1]/econ_hours", "6.5");
  assert_answer (session, "/hh/children/child[2]/econ_hours", "0");
  assert_answer (session, "/hh/children/child[1]/note", "Ama-12");
  assert_answer (session, "/hh/children/child[2]/note", "Yaw-4");
  assert_answer (session, "/hh/total_hours", "6.5");
  assert_answer (session, "/hh/roster_size", "2");

  prompts = clmrs_form_session_get_prompts (session);
  prompt = find_prompt (prompts, "/hh/children/child[2]/name");
  g_assert_nonnull (prompt);
  g_assert_cmpstr (prompt->label, ==, "Name of child 2");
  g_assert_cmpstr (prompt->repeat, ==, "/hh/children/child[2]");
  prompt = find_prompt (prompts, "/hh/children/child[1]/age");
  g_assert_cmpstr (prompt->label, ==, "Age of Ama");
  prompt = find_prompt (prompts, "/hh/children/child[1]/works");
  g_assert_cmpstr (prompt->label, ==, "Does Ama work?");
  g_assert_cmpstr (((ClmrsChoice *) prompt->choices->pdata[0])->label, ==, "Yes");
  /* Yaw is 4: works, hours and tasks are not relevant for him. */
  g_assert_null (find_prompt (prompts, "/hh/children/child[2]/works"));
  g_assert_null (find_prompt (prompts, "/hh/children/child[2]/hours"));
  g_assert_nonnull (find_prompt (prompts, "/hh/children/child[1]/tasks"));
  prompt = find_prompt (prompts, "/hh/district");
  g_assert_cmpuint (prompt->choices->len, ==, 2);
  g_assert_cmpstr (((ClmrsChoice *) prompt->choices->pdata[1])->value, ==, "d2");
  g_assert_cmpstr (((ClmrsChoice *) prompt->choices->pdata[1])->label, ==, "North 2");
  g_clear_pointer (&prompts, g_ptr_array_unref);

  /* The itemset follows the region; a district outside it is refused. */
  set_ok (session, "/hh/region", "south");
  g_assert_false (clmrs_form_session_set_answer (session, "/hh/district", "d1", &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE);
  g_clear_error (&error);
  set_ok (session, "/hh/district", "d3");

  /* Constraint messages in both languages. */
  set_ok (session, "/hh/children/child[2]/age", "19");
  g_assert_cmpint (clmrs_form_session_check (session, "/hh/children/child[2]/age", &message), ==,
                   CLMRS_CHECK_CONSTRAINT);
  g_assert_cmpstr (message, ==, "Age must be 0 to 17");
  g_clear_pointer (&message, g_free);
  clmrs_form_session_set_language (session, "fr");
  g_assert_cmpstr (clmrs_form_session_get_language (session), ==, "French (fr)");
  clmrs_form_session_set_language (session, "sw");
  g_assert_cmpstr (clmrs_form_session_get_language (session), ==, "French (fr)");
  clmrs_form_session_set_language (session, "English");
  g_assert_cmpstr (clmrs_form_session_get_language (session), ==, "English (en)");
  clmrs_form_session_set_language (session, "French (fr)");
  g_assert_cmpint (clmrs_form_session_check (session, "/hh/children/child[2]/age", &message), ==,
                   CLMRS_CHECK_CONSTRAINT);
  g_assert_cmpstr (message, ==, "L'âge doit être de 0 à 17 ans");
  g_clear_pointer (&message, g_free);
  prompts = clmrs_form_session_get_prompts (session);
  g_assert_cmpstr (find_prompt (prompts, "/hh/head")->label, ==, "Chef de ménage");
  g_assert_cmpstr (find_prompt (prompts, "/hh/children/child[1]/works")->label, ==, "Ama travaille-t-il ?");
  prompt = find_prompt (prompts, "/hh/children/child[1]/in_school");
  g_assert_cmpstr (((ClmrsChoice *) prompt->choices->pdata[0])->label, ==, "Oui");
  g_clear_pointer (&prompts, g_ptr_array_unref);
  clmrs_form_session_set_language (session, "English (en)");
  prompts = clmrs_form_session_get_prompts (session);
  g_assert_cmpstr (find_prompt (prompts, "/hh/head")->label, ==, "Head of household");
  g_clear_pointer (&prompts, g_ptr_array_unref);
  set_ok (session, "/hh/children/child[2]/age", "4");
  g_assert_cmpint (clmrs_form_session_check (session, "/hh/children/child[2]/age", NULL), ==, CLMRS_CHECK_OK);

  /* Remove the first child: the second becomes [1] and totals follow. */
  third = add_child (session);
  g_assert_cmpstr (third, ==, "/hh/children/child[3]");
  g_assert_true (clmrs_form_session_remove_repeat (session, "/hh/children/child[1]", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/hh/children/child"), ==, 2);
  assert_answer (session, "/hh/children/child[1]/name", "Yaw");
  assert_answer (session, "/hh/total_hours", "0");
  assert_answer (session, "/hh/roster_size", "2");
  g_assert_false (clmrs_form_session_remove_repeat (session, "/hh/children/child[5]", &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE);
  g_clear_error (&error);
  g_assert_null (clmrs_form_session_add_repeat (session, "/hh/head", &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE);
}

/* A calculation reading an answer that became non-relevant sees it empty;
 * the answer comes back when it is relevant again. */
static void
test_nonrelevant_values (void)
{
  g_autoptr(ClmrsForm) form = load (household_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) children = NULL;
  ClmrsEntityData *ama;

  fill_household (session);
  assert_answer (session, "/hh/total_hours", "6.5");
  set_ok (session, "/hh/children/child[1]/age", "3");
  assert_answer (session, "/hh/children/child[1]/econ_hours", "0");
  assert_answer (session, "/hh/total_hours", "0");
  assert_answer (session, "/hh/children/child[1]/works", "yes");
  assert_answer (session, "/hh/children/child[1]/hours", "6.5");
  children = clmrs_form_session_get_entities (session, "child");
  ama = children->pdata[0];
  g_assert_false (json_object_has_member (ama->profile, "tasks_7d"));
  g_assert_cmpint (json_object_get_int_member (ama->profile, "econ_hours_7d"), ==, 0);
  g_clear_pointer (&children, g_ptr_array_unref);

  set_ok (session, "/hh/children/child[1]/age", "12");
  assert_answer (session, "/hh/children/child[1]/econ_hours", "6.5");
  assert_answer (session, "/hh/total_hours", "6.5");
  children = clmrs_form_session_get_entities (session, "child");
  ama = children->pdata[0];
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (ama->profile, "tasks_7d")), ==, 2);
}

static void
test_validate (void)
{
  g_autoptr(ClmrsForm) form = load (household_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *child = NULL;

  problems = clmrs_form_session_validate (session);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_cmpstr (((ClmrsFormProblem *) problems->pdata[0])->node, ==, "/hh/region");
  g_clear_pointer (&problems, g_ptr_array_unref);

  set_ok (session, "/hh/region", "north");
  child = add_child (session);
  set_ok (session, "/hh/children/child[1]/age", "30");
  problems = clmrs_form_session_validate (session);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_cmpstr (((ClmrsFormProblem *) problems->pdata[0])->node, ==, "/hh/children/child[1]/name");
  g_assert_cmpstr (((ClmrsFormProblem *) problems->pdata[1])->node, ==, "/hh/children/child[1]/age");
  g_assert_cmpstr (((ClmrsFormProblem *) problems->pdata[1])->reason, ==, "Age must be 0 to 17");
  g_clear_pointer (&problems, g_ptr_array_unref);

  set_ok (session, "/hh/children/child[1]/name", "Esi");
  set_ok (session, "/hh/children/child[1]/age", "9");
  set_ok (session, "/hh/children/child[1]/works", "yes");
  problems = clmrs_form_session_validate (session);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_cmpstr (((ClmrsFormProblem *) problems->pdata[0])->node, ==, "/hh/children/child[1]/hours");
  g_clear_pointer (&problems, g_ptr_array_unref);
  set_ok (session, "/hh/children/child[1]/hours", "3");
  problems = clmrs_form_session_validate (session);
  g_assert_cmpuint (problems->len, ==, 0);
}

static void
assert_same_values (GPtrArray *a,
                    GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      ClmrsFormValue *x = a->pdata[i];
      ClmrsFormValue *y = b->pdata[i];
      g_assert_cmpstr (x->ref, ==, y->ref);
      g_assert_cmpstr (x->value, ==, y->value);
    }
}

static char *
json_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static void
test_draft_round_trip (void)
{
  g_autoptr(ClmrsForm) form = load (household_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(ClmrsFormSession) restored = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json_a = NULL;
  g_autoptr(JsonNode) json_b = NULL;
  g_autofree char *text_a = NULL;
  g_autofree char *text_b = NULL;
  g_autofree char *id = NULL;
  gboolean saw_marker = FALSE;

  fill_household (session);
  values = clmrs_form_session_list_values (session);
  for (guint i = 0; i < values->len; i++)
    {
      ClmrsFormValue *value = values->pdata[i];
      if (g_str_equal (value->ref, "/hh/children/child[2]"))
        {
          g_assert_null (value->value);
          saw_marker = TRUE;
        }
    }
  g_assert_true (saw_marker);

  id = g_strdup (clmrs_form_session_get_instance_id (session));
  g_assert_cmpstr (id, !=, clmrs_form_session_get_instance_id (restored));
  g_assert_true (clmrs_form_session_apply_values (restored, values, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (clmrs_form_session_get_instance_id (restored), ==, id);
  again = clmrs_form_session_list_values (restored);
  assert_same_values (values, again);
  json_a = clmrs_form_session_to_json (session);
  json_b = clmrs_form_session_to_json (restored);
  text_a = json_text (json_a);
  text_b = json_text (json_b);
  g_assert_cmpstr (text_a, ==, text_b);

  /* A removed child stays removed; the works default cleared stays cleared. */
  g_assert_true (clmrs_form_session_remove_repeat (session, "/hh/children/child[2]", &error));
  set_ok (session, "/hh/children/child[1]/works", "");
  g_clear_pointer (&values, g_ptr_array_unref);
  g_clear_pointer (&again, g_ptr_array_unref);
  values = clmrs_form_session_list_values (session);
  g_assert_true (clmrs_form_session_apply_values (restored, values, &error));
  g_assert_no_error (error);
  again = clmrs_form_session_list_values (restored);
  assert_same_values (values, again);
  g_assert_cmpuint (clmrs_form_session_count_repeat (restored, "/hh/children/child"), ==, 1);
}

static void
test_apply_values_refuses (void)
{
  g_autoptr(ClmrsForm) form = load (household_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) clmrs_form_value_free);
  g_autoptr(GError) error = NULL;
  ClmrsFormValue *value = g_new0 (ClmrsFormValue, 1);

  value->ref = g_strdup ("/hh/nothing");
  value->value = g_strdup ("x");
  g_ptr_array_add (values, value);
  g_assert_false (clmrs_form_session_apply_values (session, values, &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE);
  g_assert_nonnull (strstr (error->message, "/hh/nothing"));
}

static void
test_to_json_shape (void)
{
  g_autoptr(ClmrsForm) form = load (household_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *xml = NULL;
  JsonObject *root, *child;
  JsonArray *children;

  fill_household (session);
  json = clmrs_form_session_to_json (session);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json));
  root = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (root, "head"), ==, "Kofi");
  g_assert_cmpstr (json_object_get_string_member (root, "total_hours"), ==, "6.5");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_object_get_object_member (root, "meta"),
                                                                  "instanceID"), "uuid:"));
  children = json_object_get_array_member (json_object_get_object_member (root, "children"), "child");
  g_assert_nonnull (children);
  g_assert_cmpuint (json_array_get_length (children), ==, 2);
  child = json_array_get_object_element (children, 0);
  g_assert_cmpstr (json_object_get_string_member (child, "tasks"), ==, "land_clearing fetching_water");
  g_assert_cmpstr (json_object_get_string_member (child, "works"), ==, "yes");
  child = json_array_get_object_element (children, 1);
  g_assert_cmpstr (json_object_get_string_member (child, "name"), ==, "Yaw");
  g_assert_false (json_object_has_member (child, "works"));
  g_assert_false (json_object_has_member (child, "hours"));
  g_assert_false (json_object_has_member (child, "tasks"));
  g_assert_cmpstr (json_object_get_string_member (child, "econ_hours"), ==, "0");

  xml = clmrs_form_session_to_xml (session);
  g_assert_nonnull (strstr (xml, "<head>Kofi</head>"));
  g_assert_nonnull (strstr (xml, "<name>Yaw</name>"));
  g_assert_null (strstr (xml, "<hours/>"));
  g_assert_null (strstr (xml, "jr:template"));
  g_assert_null (strstr (xml, "<child xmlns"));
}

static void
test_load_json (void)
{
  g_autoptr(ClmrsForm) form = load (household_form);
  g_autoptr(ClmrsFormSession) first = clmrs_form_session_new (form, NULL);
  g_autoptr(ClmrsFormSession) next = clmrs_form_session_new (form, NULL);
  g_autoptr(ClmrsFormSession) bad = clmrs_form_session_new (form, NULL);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) broken = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  fill_household (first);
  json = clmrs_form_session_to_json (first);
  id = g_strdup (clmrs_form_session_get_instance_id (next));
  g_assert_true (clmrs_form_session_load_json (next, json, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (clmrs_form_session_count_repeat (next, "/hh/children/child"), ==, 2);
  assert_answer (next, "/hh/children/child[1]/hours", "6.5");
  assert_answer (next, "/hh/children/child[2]/name", "Yaw");
  assert_answer (next, "/hh/total_hours", "6.5");
  /* A prefilled session is a new submission. */
  g_assert_cmpstr (clmrs_form_session_get_instance_id (next), ==, id);

  broken = json_from_string ("{\"head\": \"Kofi\", \"children\": {\"child\": [{\"nmae\": \"x\"}]}}", &error);
  g_assert_no_error (error);
  g_assert_false (clmrs_form_session_load_json (bad, broken, &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_NO_SUCH_NODE);
  g_assert_nonnull (strstr (error->message, "'nmae'"));
  g_assert_nonnull (strstr (error->message, "/hh/children/child[1]"));
  g_clear_error (&error);
  g_clear_pointer (&broken, json_node_unref);
  broken = json_from_string ("{\"children\": {\"child\": [{\"age\": \"old\"}]}}", &error);
  g_assert_false (clmrs_form_session_load_json (bad, broken, &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE);
}

static void
test_entities (void)
{
  g_autoptr(ClmrsForm) form = load (household_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) children = NULL;
  g_autoptr(GPtrArray) none = NULL;
  ClmrsEntityData *ama, *yaw;
  JsonArray *tasks;

  fill_household (session);
  children = clmrs_form_session_get_entities (session, "child");
  g_assert_cmpuint (children->len, ==, 2);
  ama = children->pdata[0];
  yaw = children->pdata[1];
  g_assert_cmpstr (ama->ref, ==, "/hh/children/child[1]");
  g_assert_cmpint (json_object_get_int_member (ama->profile, "age"), ==, 12);
  g_assert_cmpstr (json_object_get_string_member (ama->profile, "sex"), ==, "female");
  g_assert_true (json_object_get_boolean_member (ama->profile, "in_school"));
  g_assert_cmpfloat (json_object_get_double_member (ama->profile, "econ_hours_7d"), ==, 6.5);
  tasks = json_object_get_array_member (ama->profile, "tasks_7d");
  g_assert_cmpuint (json_array_get_length (tasks), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (tasks, 0), ==, "land_clearing");
  g_assert_cmpstr (json_array_get_string_element (tasks, 1), ==, "fetching_water");
  g_assert_cmpstr (json_object_get_string_member (ama->fields, "name"), ==, "Ama");
  g_assert_cmpstr (json_object_get_string_member (ama->fields, "age"), ==, "12");
  g_assert_false (json_object_has_member (ama->fields, "child_id"));
  g_assert_false (json_object_has_member (ama->fields, "head_name"));

  g_assert_false (json_object_get_boolean_member (yaw->profile, "in_school"));
  g_assert_cmpint (json_object_get_int_member (yaw->profile, "econ_hours_7d"), ==, 0);
  g_assert_false (json_object_has_member (yaw->profile, "tasks_7d"));

  none = clmrs_form_session_get_entities (session, "community");
  g_assert_cmpuint (none->len, ==, 0);
  g_clear_pointer (&children, g_ptr_array_unref);
  children = clmrs_form_session_get_entities (session, "household");
  g_assert_cmpuint (children->len, ==, 1);
  ama = children->pdata[0];
  g_assert_cmpstr (ama->ref, ==, "/hh");
  g_assert_cmpstr (json_object_get_string_member (ama->fields, "head_name"), ==, "Kofi");
  g_assert_cmpuint (json_object_get_size (ama->fields), ==, 1);
  g_assert_cmpuint (json_object_get_size (ama->profile), ==, 0);
}


/* A roster names each instance by its name, sex in words and age, and
 * every prompt inside an instance carries its name for the heading. */
static void
test_repeat_instances (void)
{
  g_autoptr(ClmrsForm) form = load (household_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) instances = NULL;
  g_autoptr(GPtrArray) prompts = NULL;
  g_autofree char *third = NULL;
  ClmrsRepeatInstance *instance;
  gboolean named = FALSE;

  fill_household (session);
  third = add_child (session);
  instances = clmrs_form_session_list_repeat_instances (session, "/hh/children/child");
  g_assert_cmpuint (instances->len, ==, 3);
  instance = instances->pdata[0];
  g_assert_cmpstr (instance->ref, ==, "/hh/children/child[1]");
  g_assert_cmpuint (instance->position, ==, 1);
  g_assert_cmpstr (instance->name, ==, "Ama");
  g_assert_cmpstr (instance->sex, ==, "Female");
  g_assert_cmpstr (instance->age, ==, "12");
  instance = instances->pdata[1];
  g_assert_cmpstr (instance->name, ==, "Yaw");
  g_assert_cmpstr (instance->sex, ==, "Male");
  /* not answered yet: nothing made up */
  instance = instances->pdata[2];
  g_assert_cmpstr (instance->ref, ==, third);
  g_assert_null (instance->name);
  g_assert_null (instance->sex);
  g_assert_null (instance->age);

  prompts = clmrs_form_session_get_prompts (session);
  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *prompt = prompts->pdata[i];

      if (g_strcmp0 (prompt->repeat, "/hh/children/child[2]") == 0)
        {
          g_assert_cmpstr (prompt->repeat_name, ==, "Yaw");
          named = TRUE;
        }
      else if (prompt->repeat == NULL || g_str_equal (prompt->repeat, third))
        g_assert_null (prompt->repeat_name);
    }
  g_assert_true (named);

  /* a path that names no repeat has no instances */
  g_clear_pointer (&instances, g_ptr_array_unref);
  instances = clmrs_form_session_list_repeat_instances (session, "/hh/head");
  g_assert_cmpuint (instances->len, ==, 0);
}

/* Calculations declared against their dependency order, a jr:count repeat
 * with an odk-new-repeat default, readonly nodes, inherited relevance. */
static const char calc_form[] =
  HEAD
  "<h:head><h:title>Calc</h:title><model>\n"
  "<instance><data id='calc'>\n"
  "  <a/><c/><b/><n/>\n"
  "  <kids><kid jr:template=''><kname/><kpos/><kage>5</kage></kid></kids>\n"
  "  <kcount/><ksum/><kbig/><fixed>locked</fixed><show/>\n"
  "  <grp><inner/><deep><leaf/></deep></grp>\n"
  "</data></instance>\n"
  "<bind nodeset='/data/c' type='int' calculate='/data/b * 2'/>\n"
  "<bind nodeset='/data/b' type='int' calculate='/data/a + 1'/>\n"
  "<bind nodeset='/data/a' type='int'/>\n"
  "<bind nodeset='/data/n' type='int'/>\n"
  "<bind nodeset='/data/kids/kid/kname' type='string'/>\n"
  "<bind nodeset='/data/kids/kid/kpos' type='int' calculate='position(..)'/>\n"
  "<bind nodeset='/data/kids/kid/kage' type='int'/>\n"
  "<bind nodeset='/data/kcount' type='int' calculate='count(/data/kids/kid)'/>\n"
  "<bind nodeset='/data/ksum' type='int' calculate='sum(/data/kids/kid/kage)'/>\n"
  "<bind nodeset='/data/kbig' type='int' calculate='count(/data/kids/kid[kage &gt; 6])'/>\n"
  "<bind nodeset='/data/fixed' type='string' readonly='true()'/>\n"
  "<bind nodeset='/data/show' type='select1'/>\n"
  "<bind nodeset='/data/grp' relevant=\"/data/show = 'yes'\"/>\n"
  "<bind nodeset='/data/grp/inner' type='string' required='true()'/>\n"
  "<bind nodeset='/data/grp/deep/leaf' type='string' required='true()'/>\n"
  "</model></h:head>\n"
  "<h:body>\n"
  "<input ref='/data/a'><label>A</label></input>\n"
  "<input ref='/data/n'><label>How many?</label></input>\n"
  "<group ref='/data/kids'><label>Kids</label>\n"
  " <repeat nodeset='/data/kids/kid' jr:count='/data/n'>\n"
  "  <setvalue event='odk-new-repeat' ref='/data/kids/kid/kname' value=\"concat('kid ', position(..))\"/>\n"
  "  <input ref='/data/kids/kid/kname'><label>Name</label></input>\n"
  "  <input ref='/data/kids/kid/kage'><label>Age</label></input>\n"
  " </repeat></group>\n"
  "<input ref='/data/fixed'><label>Fixed</label></input>\n"
  "<select1 ref='/data/show'><label>Show?</label>\n"
  "  <item><label>Yes</label><value>yes</value></item><item><label>No</label><value>no</value></item></select1>\n"
  "<group ref='/data/grp'><label>Group</label>\n"
  "  <input ref='/data/grp/inner'><label>Inner</label></input>\n"
  "  <group ref='/data/grp/deep'><input ref='/data/grp/deep/leaf'><label>Leaf</label></input></group>\n"
  "</group>\n"
  "</h:body></h:html>\n";

static void
test_calculate_order (void)
{
  g_autoptr(ClmrsForm) form = load (calc_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);

  set_ok (session, "/data/a", "1");
  assert_answer (session, "/data/b", "2");
  assert_answer (session, "/data/c", "4");
  set_ok (session, "/data/a", "20");
  assert_answer (session, "/data/b", "21");
  assert_answer (session, "/data/c", "42");
  set_ok (session, "/data/a", "");
  assert_answer (session, "/data/b", NULL);
  assert_answer (session, "/data/c", NULL);
}

static void
test_repeat_count (void)
{
  g_autoptr(ClmrsForm) form = load (calc_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) prompts = NULL;

  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/data/kids/kid"), ==, 0);
  assert_answer (session, "/data/kcount", "0");
  set_ok (session, "/data/n", "3");
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/data/kids/kid"), ==, 3);
  assert_answer (session, "/data/kids/kid[1]/kname", "kid 1");
  assert_answer (session, "/data/kids/kid[3]/kname", "kid 3");
  assert_answer (session, "/data/kids/kid[3]/kpos", "3");
  assert_answer (session, "/data/kcount", "3");
  assert_answer (session, "/data/ksum", "15");
  assert_answer (session, "/data/kbig", "0");
  set_ok (session, "/data/kids/kid[2]/kage", "7");
  assert_answer (session, "/data/ksum", "17");
  assert_answer (session, "/data/kbig", "1");

  prompts = clmrs_form_session_get_prompts (session);
  g_assert_nonnull (find_prompt (prompts, "/data/kids/kid[3]/kage"));
  g_assert_null (find_prompt (prompts, "/data/kids/kid"));

  g_assert_null (clmrs_form_session_add_repeat (session, "/data/kids/kid", &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_READONLY);
  g_clear_error (&error);
  g_assert_false (clmrs_form_session_remove_repeat (session, "/data/kids/kid[1]", &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_READONLY);
  g_clear_error (&error);

  set_ok (session, "/data/n", "1");
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/data/kids/kid"), ==, 1);
  assert_answer (session, "/data/kcount", "1");
  assert_answer (session, "/data/ksum", "5");
  set_ok (session, "/data/n", "0");
  assert_answer (session, "/data/ksum", "0");
}

static void
test_refusals (void)
{
  static const struct { const char *ref; const char *value; int code; } cases[] = {
    { "/data/c", "3", CLMRS_XFORM_ERROR_READONLY },
    { "/data/kcount", "3", CLMRS_XFORM_ERROR_READONLY },
    { "/data/fixed", "open", CLMRS_XFORM_ERROR_READONLY },
    { "/data/nothing", "1", CLMRS_XFORM_ERROR_NO_SUCH_NODE },
    { "/data/grp", "1", CLMRS_XFORM_ERROR_NO_SUCH_NODE },
    { "data/a", "1", CLMRS_XFORM_ERROR_NO_SUCH_NODE },
    { "/data/kids/kid[1]/kname", "x", CLMRS_XFORM_ERROR_NO_SUCH_NODE },
    { "/data/a", "one", CLMRS_XFORM_ERROR_TYPE },
    { "/data/show", "maybe", CLMRS_XFORM_ERROR_TYPE },
  };
  g_autoptr(ClmrsForm) form = load (calc_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_false (clmrs_form_session_set_answer (session, cases[i].ref, cases[i].value, &error));
      g_assert_error (error, CLMRS_XFORM_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].ref));
    }
  assert_answer (session, "/data/fixed", "locked");
  assert_answer (session, "/data/a", NULL);
  assert_answer (session, "/data/grp", NULL);
  assert_answer (session, "/data/nothing", NULL);
  assert_answer (session, "/data/kids/kid[1]/kname", NULL);
}

static void
test_inherited_relevance (void)
{
  g_autoptr(ClmrsForm) form = load (calc_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) prompts = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(JsonNode) json = NULL;

  prompts = clmrs_form_session_get_prompts (session);
  g_assert_null (find_prompt (prompts, "/data/grp/inner"));
  g_assert_null (find_prompt (prompts, "/data/grp/deep/leaf"));
  g_assert_true (find_prompt (prompts, "/data/fixed")->readonly);
  problems = clmrs_form_session_validate (session);
  g_assert_cmpuint (problems->len, ==, 0);
  json = clmrs_form_session_to_json (session);
  g_assert_false (json_object_has_member (json_node_get_object (json), "grp"));
  g_assert_true (json_object_has_member (json_node_get_object (json), "show"));
  g_clear_pointer (&prompts, g_ptr_array_unref);
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_clear_pointer (&json, json_node_unref);

  set_ok (session, "/data/show", "yes");
  prompts = clmrs_form_session_get_prompts (session);
  g_assert_nonnull (find_prompt (prompts, "/data/grp/inner"));
  g_assert_nonnull (find_prompt (prompts, "/data/grp/deep/leaf"));
  problems = clmrs_form_session_validate (session);
  g_assert_cmpuint (problems->len, ==, 2);
  json = clmrs_form_session_to_json (session);
  g_assert_true (json_object_has_member (json_node_get_object (json), "grp"));
}

static const char types_form[] =
  HEAD
  "<h:head><h:title>Types</h:title><model>\n"
  "<instance><data id='types'><i/><d/><bo/><dt/><t/><dtm/><g/><s1/><sm/><str/></data></instance>\n"
  "<bind nodeset='/data/i' type='xsd:int'/>\n"
  "<bind nodeset='/data/d' type='decimal'/>\n"
  "<bind nodeset='/data/bo' type='boolean'/>\n"
  "<bind nodeset='/data/dt' type='xsd:date'/>\n"
  "<bind nodeset='/data/t' type='time'/>\n"
  "<bind nodeset='/data/dtm' type='dateTime'/>\n"
  "<bind nodeset='/data/g' type='geopoint'/>\n"
  "<bind nodeset='/data/s1' type='string'/>\n"
  "<bind nodeset='/data/sm' type='select'/>\n"
  "<bind nodeset='/data/str' type='string'/>\n"
  "</model></h:head>\n"
  "<h:body>\n"
  "<input ref='/data/i'/><input ref='/data/d'/><input ref='/data/bo'/><input ref='/data/dt'/>\n"
  "<input ref='/data/t'/><input ref='/data/dtm'/><input ref='/data/g'/><input ref='/data/str'/>\n"
  "<select1 ref='/data/s1'><item><label>A</label><value>a</value></item><item><label>B</label><value>b</value></item></select1>\n"
  "<select ref='/data/sm'><item><label>A</label><value>a</value></item><item><label>B</label><value>b</value></item>"
  "<item><label>C</label><value>c</value></item></select>\n"
  "</h:body></h:html>\n";

static void
test_types (void)
{
  static const struct { const char *ref; const char *value; const char *stored; } cases[] = {
    { "/data/i", "42", "42" }, { "/data/i", "-7", "-7" }, { "/data/i", " 3 ", "3" },
    { "/data/i", "4.5", NULL }, { "/data/i", "x", NULL }, { "/data/i", "99999999999999999999", NULL },
    { "/data/d", "4.5", "4.5" }, { "/data/d", "-0.25", "-0.25" }, { "/data/d", "1e3", "1e3" },
    { "/data/d", "nan", NULL }, { "/data/d", "4,5", NULL }, { "/data/d", "0x10", NULL },
    { "/data/bo", "true", "true" }, { "/data/bo", "0", "0" }, { "/data/bo", "yes", NULL },
    { "/data/dt", "2024-02-29", "2024-02-29" }, { "/data/dt", "2023-02-29", NULL },
    { "/data/dt", "2024-2-1", NULL }, { "/data/dt", "2024-02-01T10:00:00Z", NULL },
    { "/data/t", "08:30", "08:30" }, { "/data/t", "23:59:59.000+01:00", "23:59:59.000+01:00" },
    { "/data/t", "24:00", NULL },
    { "/data/dtm", "2024-02-01T10:00:00Z", "2024-02-01T10:00:00Z" }, { "/data/dtm", "yesterday", NULL },
    { "/data/g", "5.6 -0.2", "5.6 -0.2" }, { "/data/g", "5.6 -0.2 100 5", "5.6 -0.2 100 5" },
    { "/data/g", "95 0", NULL }, { "/data/g", "5.6", NULL },
    { "/data/s1", "a", "a" }, { "/data/s1", "z", NULL }, { "/data/s1", "a b", NULL },
    { "/data/sm", "c  a", "c a" }, { "/data/sm", "a z", NULL },
    { "/data/str", "  free text  ", "  free text  " },
    { "/data/str", "line\nbreak\ttab", "line\nbreak\ttab" },
    { "/data/str", "Kof\xc3\xad & <Ama>", "Kof\xc3\xad & <Ama>" },
    { "/data/str", "bad \xff utf8", NULL }, { "/data/str", "bell\a", NULL },
  };
  g_autoptr(ClmrsForm) form = load (types_form);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
      g_autoptr(GError) error = NULL;
      gboolean ok = clmrs_form_session_set_answer (session, cases[i].ref, cases[i].value, &error);

      if (cases[i].stored != NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE);
        }
      assert_answer (session, cases[i].ref, cases[i].stored);
    }
}

/* The shape pyxform gives an XLSForm (namespaces, itext languages named
 * "English (en)", preloads, first-load and new-repeat setvalues, an
 * itemset with itext labels, relative refs in the repeat). */
static const char pyxform_form[] =
  "<?xml version=\"1.0\"?>\n"
  "<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:ev=\"http://www.w3.org/2001/xml-events\""
  " xmlns:h=\"http://www.w3.org/1999/xhtml\" xmlns:jr=\"http://openrosa.org/javarosa\""
  " xmlns:odk=\"http://www.opendatakit.org/xforms\" xmlns:orx=\"http://openrosa.org/xforms\""
  " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:clmrs=\"urn:clmrs:xforms:1\">\n"
  "  <h:head>\n"
  "    <h:title>Visit</h:title>\n"
  "    <model odk:xforms-version=\"1.0.0\">\n"
  "      <itext>\n"
  "        <translation default=\"true()\" lang=\"English (en)\">\n"
  "          <text id=\"/visit/members:label\"><value>Members</value></text>\n"
  "          <text id=\"/visit/members/mname:label\"><value>Name</value></text>\n"
  "          <text id=\"/visit/members/works:label\"><value>Does <output value=\" ../mname \"/> work?</value></text>\n"
  "          <text id=\"/visit/members/status:label\"><value>Status</value></text>\n"
  "          <text id=\"/visit/consent:label\"><value>Consent given?</value></text>\n"
  "          <text id=\"/visit/consent:hint\"><value>Read the statement first</value></text>\n"
  "          <text id=\"static_instance-yes_no-0\"><value>Yes</value></text>\n"
  "          <text id=\"static_instance-yes_no-1\"><value>No</value></text>\n"
  "        </translation>\n"
  "        <translation lang=\"French (fr)\">\n"
  "          <text id=\"/visit/members:label\"><value>Membres</value></text>\n"
  "          <text id=\"/visit/members/mname:label\"><value>Nom</value></text>\n"
  "          <text id=\"/visit/members/works:label\"><value><output value=\" ../mname \"/> travaille ?</value></text>\n"
  "          <text id=\"/visit/members/status:label\"><value>Statut</value></text>\n"
  "          <text id=\"/visit/consent:label\"><value>Consentement ?</value></text>\n"
  "          <text id=\"/visit/consent:hint\"><value>Lire la déclaration</value></text>\n"
  "          <text id=\"static_instance-yes_no-0\"><value>Oui</value></text>\n"
  "          <text id=\"static_instance-yes_no-1\"><value>Non</value></text>\n"
  "        </translation>\n"
  "      </itext>\n"
  "      <instance>\n"
  "        <visit id=\"visit_form\" version=\"2024011501\">\n"
  "          <start/>\n"
  "          <end/>\n"
  "          <today/>\n"
  "          <visit_date/>\n"
  "          <consent/>\n"
  "          <members jr:template=\"\">\n"
  "            <mname/>\n"
  "            <works/>\n"
  "            <status/>\n"
  "          </members>\n"
  "          <members>\n"
  "            <mname/>\n"
  "            <works/>\n"
  "            <status/>\n"
  "          </members>\n"
  "          <meta>\n"
  "            <instanceID/>\n"
  "          </meta>\n"
  "        </visit>\n"
  "      </instance>\n"
  "      <instance id=\"yes_no\">\n"
  "        <root>\n"
  "          <item><itextId>static_instance-yes_no-0</itextId><name>yes</name></item>\n"
  "          <item><itextId>static_instance-yes_no-1</itextId><name>no</name></item>\n"
  "        </root>\n"
  "      </instance>\n"
  "      <bind jr:preload=\"timestamp\" jr:preloadParams=\"start\" nodeset=\"/visit/start\" type=\"dateTime\"/>\n"
  "      <bind jr:preload=\"timestamp\" jr:preloadParams=\"end\" nodeset=\"/visit/end\" type=\"dateTime\"/>\n"
  "      <bind jr:preload=\"date\" jr:preloadParams=\"today\" nodeset=\"/visit/today\" type=\"date\"/>\n"
  "      <bind nodeset=\"/visit/visit_date\" type=\"date\"/>\n"
  "      <setvalue event=\"odk-instance-first-load\" ref=\"/visit/visit_date\" value=\"today()\"/>\n"
  "      <bind nodeset=\"/visit/consent\" type=\"string\" required=\"true()\"/>\n"
  "      <bind nodeset=\"/visit/members/mname\" type=\"string\"/>\n"
  "      <bind nodeset=\"/visit/members/works\" type=\"string\" relevant=\" /visit/consent  = 'yes'\"/>\n"
  "      <bind nodeset=\"/visit/members/status\" type=\"string\"/>\n"
  "      <bind jr:preload=\"uid\" nodeset=\"/visit/meta/instanceID\" readonly=\"true()\" type=\"string\"/>\n"
  "    </model>\n"
  "  </h:head>\n"
  "  <h:body>\n"
  "    <select1 ref=\"/visit/consent\">\n"
  "      <label ref=\"jr:itext('/visit/consent:label')\"/>\n"
  "      <hint ref=\"jr:itext('/visit/consent:hint')\"/>\n"
  "      <itemset nodeset=\"instance('yes_no')/root/item\">\n"
  "        <value ref=\"name\"/>\n"
  "        <label ref=\"jr:itext(itextId)\"/>\n"
  "      </itemset>\n"
  "    </select1>\n"
  "    <group ref=\"/visit/members\">\n"
  "      <label ref=\"jr:itext('/visit/members:label')\"/>\n"
  "      <repeat nodeset=\"/visit/members\">\n"
  "        <input ref=\"/visit/members/mname\">\n"
  "          <label ref=\"jr:itext('/visit/members/mname:label')\"/>\n"
  "        </input>\n"
  "        <select1 ref=\"/visit/members/works\">\n"
  "          <label ref=\"jr:itext('/visit/members/works:label')\"/>\n"
  "          <itemset nodeset=\"instance('yes_no')/root/item\">\n"
  "            <value ref=\"name\"/>\n"
  "            <label ref=\"jr:itext(itextId)\"/>\n"
  "          </itemset>\n"
  "        </select1>\n"
  "        <input ref=\"/visit/members/status\">\n"
  "          <label ref=\"jr:itext('/visit/members/status:label')\"/>\n"
  "          <odk:setvalue event=\"odk-new-repeat\" ref=\"/visit/members/status\" value=\"'present'\"/>\n"
  "        </input>\n"
  "      </repeat>\n"
  "    </group>\n"
  "  </h:body>\n"
  "</h:html>\n";

static void
test_pyxform_shape (void)
{
  g_autoptr(ClmrsForm) form = load (pyxform_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) prompts = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *second = NULL;
  g_autofree char *start = NULL;
  g_autofree char *visit_date = NULL;
  g_autofree char *today = NULL;
  g_autofree char *end = NULL;
  g_autofree char *xml = NULL;
  GDate date;
  ClmrsPrompt *prompt;
  JsonObject *root;

  g_assert_cmpstr (clmrs_form_get_id (form), ==, "visit_form");
  g_assert_cmpstr (clmrs_form_get_version (form), ==, "2024011501");
  g_assert_true (g_str_has_prefix (clmrs_form_session_get_instance_id (session), "uuid:"));
  start = clmrs_form_session_get_answer (session, "/visit/start");
  g_assert_nonnull (start);
  visit_date = clmrs_form_session_get_answer (session, "/visit/visit_date");
  today = clmrs_form_session_get_answer (session, "/visit/today");
  g_assert_true (clmrs_date_parse (visit_date, &date));
  g_assert_cmpstr (visit_date, ==, today);

  /* The instance's one non-template member is there from the start. */
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/visit/members"), ==, 1);
  prompts = clmrs_form_session_get_prompts (session);
  prompt = find_prompt (prompts, "/visit/consent");
  g_assert_cmpstr (prompt->label, ==, "Consent given?");
  g_assert_cmpstr (prompt->hint, ==, "Read the statement first");
  g_assert_cmpint (prompt->type, ==, CLMRS_TYPE_SELECT1);
  g_assert_cmpuint (prompt->choices->len, ==, 2);
  g_assert_cmpstr (((ClmrsChoice *) prompt->choices->pdata[0])->value, ==, "yes");
  g_assert_cmpstr (((ClmrsChoice *) prompt->choices->pdata[0])->label, ==, "Yes");
  g_assert_nonnull (find_prompt (prompts, "/visit/members[1]/mname"));
  g_assert_null (find_prompt (prompts, "/visit/members[1]/works"));
  g_assert_cmpint (find_prompt (prompts, "/visit/members")->kind, ==, CLMRS_PROMPT_REPEAT_ADD);
  g_assert_cmpstr (find_prompt (prompts, "/visit/members")->label, ==, "Members");
  g_clear_pointer (&prompts, g_ptr_array_unref);

  set_ok (session, "/visit/consent", "yes");
  set_ok (session, "/visit/members[1]/mname", "Adjoa");
  second = clmrs_form_session_add_repeat (session, "/visit/members", NULL);
  g_assert_cmpstr (second, ==, "/visit/members[2]");
  assert_answer (session, "/visit/members[2]/status", "present");
  set_ok (session, "/visit/members[2]/mname", "Kwame");
  set_ok (session, "/visit/members[2]/works", "no");

  clmrs_form_session_set_language (session, "French (fr)");
  prompts = clmrs_form_session_get_prompts (session);
  g_assert_cmpstr (find_prompt (prompts, "/visit/members[2]/works")->label, ==, "Kwame travaille ?");
  prompt = find_prompt (prompts, "/visit/members[2]/works");
  g_assert_cmpstr (((ClmrsChoice *) prompt->choices->pdata[1])->label, ==, "Non");

  problems = clmrs_form_session_validate (session);
  g_assert_cmpuint (problems->len, ==, 0);
  json = clmrs_form_session_to_json (session);
  root = json_node_get_object (json);
  end = g_strdup (json_object_get_string_member (root, "end"));
  g_assert_true (end[0] != '\0');
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "members")), ==, 2);
  xml = clmrs_form_session_to_xml (session);
  g_assert_nonnull (strstr (xml, "id=\"visit_form\""));
  g_assert_nonnull (strstr (xml, "<mname>Kwame</mname>"));
}


typedef struct {
  const char *file;
  int         code;
  int         line;
  const char *node;
  const char *reason;
} BrokenCase;

static const BrokenCase broken_cases[] = {
  { "bad-xml.xml", CLMRS_XFORM_ERROR_PARSE, 6, "xml",
    "the XML is not well formed: Opening and ending tag mismatch: bind line 5 and model" },
  { "unknown-bind.xml", CLMRS_XFORM_ERROR_INVALID, 6, "bind[@nodeset='/data/nothere']",
    "/data/nothere is not a node of the primary instance" },
  { "unknown-ref.xml", CLMRS_XFORM_ERROR_INVALID, 7, "input[@ref='/data/zz']",
    "/data/zz is not a node of the primary instance" },
  { "bad-xpath.xml", CLMRS_XFORM_ERROR_XPATH, 6, "bind[@nodeset='/data/b']",
    "calculate \"/data/a + * 2\" does not compile: invalid XPath at character 13 of \"/data/a + * 2\": "
    "expected an operator or the end of the expression, found '2'" },
  { "cyclic.xml", CLMRS_XFORM_ERROR_CYCLE, 5, "bind[@nodeset='/data/a']",
    "calculations form a cycle: /data/a -> /data/c -> /data/b -> /data/a" },
  { "unsupported-control.xml", CLMRS_XFORM_ERROR_INVALID, 9, "upload[@ref='/data/a']",
    "an <upload> needs a bind of type binary on /data/a" },
  { "unknown-type.xml", CLMRS_XFORM_ERROR_UNSUPPORTED, 5, "bind[@nodeset='/data/a']",
    "type 'picture' is not supported" },
  { "no-model.xml", CLMRS_XFORM_ERROR_INVALID, 3, "h:head", "the form has no model" },
};

static char *
broken_path (const char *file)
{
  const char *source = g_getenv ("CLMRS_SOURCE_DIR");

  g_assert_nonnull (source);
  return g_build_filename (source, "tests", "forms-broken", file, NULL);
}

static void
test_broken_forms_refused (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (broken_cases); i++)
    {
      const BrokenCase *c = &broken_cases[i];
      g_autofree char *path = broken_path (c->file);
      g_autofree char *expected = g_strdup_printf ("%s:%d: %s: %s", path, c->line, c->node, c->reason);
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsForm) form = clmrs_form_load_file (path, &error);
      g_autoptr(GPtrArray) problems = NULL;
      g_autofree char *first = NULL;

      g_assert_null (form);
      g_assert_error (error, CLMRS_XFORM_ERROR, c->code);
      g_assert_cmpstr (error->message, ==, expected);

      g_assert_false (clmrs_form_check_file (path, &problems));
      g_assert_cmpuint (problems->len, >=, 1);
      first = clmrs_form_problem_to_string (problems->pdata[0]);
      g_assert_cmpstr (first, ==, expected);
    }
}

/* check_file reports every problem, load the first only. */
static void
test_check_collects_all (void)
{
  g_autofree char *path = broken_path ("bad-xpath.xml");
  g_autofree char *controls = broken_path ("unsupported-control.xml");
  g_autoptr(GPtrArray) problems = NULL;
  ClmrsFormProblem *second;

  g_assert_false (clmrs_form_check_file (path, &problems));
  g_assert_cmpuint (problems->len, ==, 2);
  second = problems->pdata[1];
  g_assert_cmpint (second->line, ==, 7);
  g_assert_cmpstr (second->node, ==, "bind[@nodeset='/data/c']");
  g_assert_cmpstr (second->reason, ==, "relevant \"frobnicate(/data/a)\": unknown function frobnicate()");
  g_clear_pointer (&problems, g_ptr_array_unref);

  g_assert_false (clmrs_form_check_file (controls, &problems));
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_cmpstr (((ClmrsFormProblem *) problems->pdata[1])->reason, ==,
                   "the control <odk:recordaudio> is not supported");
  g_clear_pointer (&problems, g_ptr_array_unref);

  g_assert_false (clmrs_form_check_file ("/nonexistent/form.xml", &problems));
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_cmpstr (((ClmrsFormProblem *) problems->pdata[0])->file, ==, "/nonexistent/form.xml");
}

/* Inline forms that must be refused, each with the reason expected. */
static void
test_inline_refusals (void)
{
  static const struct { const char *model; const char *body; int code; const char *reason; } cases[] = {
    { "<bind nodeset='/data/a' calculate='/data/a + 1'/>", "", CLMRS_XFORM_ERROR_CYCLE,
      "calculate of /data/a refers to itself" },
    { "<bind nodeset='/data/a' relevant=\"/data/a = 'x'\"/>", "", CLMRS_XFORM_ERROR_CYCLE,
      "relevant of /data/a refers to itself" },
    { "<bind nodeset='/data/a' constraint=\"concat('a'\"/>", "", CLMRS_XFORM_ERROR_XPATH,
      "constraint \"concat('a'\" does not compile: invalid XPath at character 11 of \"concat('a'\": "
      "expected ',' or ')' after an argument of 'concat()' opened at character 7, found the end of the expression" },
    { "<bind nodeset='/data/a' constraint=\"'a\"/>", "", CLMRS_XFORM_ERROR_XPATH,
      "constraint \"'a\" does not compile: invalid XPath at character 1 of \"'a\": "
      "the string literal starting here is not closed" },
    { "<bind nodeset='/data/a' type='picture'/>", "", CLMRS_XFORM_ERROR_UNSUPPORTED,
      "type 'picture' is not supported" },
    { "", "<range ref='/data/a'/>", CLMRS_XFORM_ERROR_INVALID, "a range needs a number in start, not ''" },
    { "<bind nodeset='/data/a' type='int'/>", "<range ref='/data/a' start='1' end='5' step='0'/>",
      CLMRS_XFORM_ERROR_INVALID, "a range's step must be above 0 and at most end - start" },
    { "", "<range ref='/data/a' start='1' end='5' step='1'/>", CLMRS_XFORM_ERROR_INVALID,
      "a range is bound to an int or a decimal" },
    { "", "<odk:rank ref='/data/a'/>", CLMRS_XFORM_ERROR_INVALID, "a select has no choices" },
    { "", "<upload ref='/data/a' mediatype='image/*'/>", CLMRS_XFORM_ERROR_INVALID,
      "an <upload> needs a bind of type binary on /data/a" },
    { "", "<input ref='/data/g'/>", CLMRS_XFORM_ERROR_INVALID, "/data/g is a group, not a question" },
    { "", "<select1 ref='/data/a'><label>A</label></select1>", CLMRS_XFORM_ERROR_INVALID, "a select has no choices" },
    { "", "<input ref='/data/a'><label ref=\"jr:itext('nope')\"/></input>", CLMRS_XFORM_ERROR_INVALID,
      "no itext text has id 'nope'" },
    { "<setvalue event='xforms-value-changed' ref='/data/a' value='1'/>", "", CLMRS_XFORM_ERROR_UNSUPPORTED,
      "event 'xforms-value-changed' is only supported inside a control" },
    { "<setvalue event='xforms-revalidate' ref='/data/a' value='1'/>", "", CLMRS_XFORM_ERROR_UNSUPPORTED,
      "event 'xforms-revalidate' is not supported" },
    { "", "<select1 ref='/data/a'><itemset nodeset=\"instance('nope')/root/item\"><value ref='name'/>"
      "<label ref='label'/></itemset></select1>", CLMRS_XFORM_ERROR_XPATH,
      "itemset nodeset \"instance('nope')/root/item\": instance('nope') names no secondary instance" },
    { "<instance id='places' src='jr://file/places.csv'/>", "", CLMRS_XFORM_ERROR_INVALID,
      "the form needs the media file places.csv, and none was given with it" },
    { "<instance id='places' src='jr://file/../places.csv'/>", "", CLMRS_XFORM_ERROR_INVALID,
      "src \"jr://file/../places.csv\" does not name a media file (a plain file name)" },
    { "<instance id='places' src='https://example.org/places.xml'/>", "", CLMRS_XFORM_ERROR_UNSUPPORTED,
      "src \"https://example.org/places.xml\" is not supported: an external instance is jr://file/NAME.xml, "
      "jr://file-csv/NAME.csv or jr://instance/last-saved" },
    { "", "<input ref='/data/zzz'/>", CLMRS_XFORM_ERROR_INVALID, "/data/zzz is not a node of the primary instance" },
    { "<bind nodeset='zzz' type='int'/>", "", CLMRS_XFORM_ERROR_INVALID, "zzz is not a node of the primary instance" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf (HEAD "<h:head><model><instance><data id='x'><a/><g><b/></g></data></instance>"
                                               "%s</model></h:head><h:body>%s</h:body></h:html>",
                                               cases[i].model, cases[i].body);
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsForm) form = clmrs_form_load_data (text, strlen (text), "inline.xml", &error);

      g_assert_null (form);
      g_assert_error (error, CLMRS_XFORM_ERROR, cases[i].code);
      if (!g_str_has_suffix (error->message, cases[i].reason))
        g_error ("case %" G_GSIZE_FORMAT ": got '%s', expected '%s'", i, error->message, cases[i].reason);
      g_assert_true (g_str_has_prefix (error->message, "inline.xml:"));
    }
}

static void
test_cli_forms_check (void)
{
  g_autofree char *dir = g_dir_make_tmp ("clmrs-xform-XXXXXX", NULL);
  g_autofree char *good = g_build_filename (dir, "good.xml", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.xml", NULL);

  g_assert_true (g_file_set_contents (good, household_form, -1, NULL));

  {
    const char *args[] = { "forms", "check", good, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *expected = g_strdup_printf ("%s: ok\n", good);
    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    g_assert_cmpstr (out, ==, expected);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (broken_cases); i++)
    {
      g_autofree char *path = broken_path (broken_cases[i].file);
      g_autofree char *expected = g_strdup_printf ("%s:%d: %s: %s\n", path, broken_cases[i].line,
                                                   broken_cases[i].node, broken_cases[i].reason);
      const char *args[] = { "forms", "check", good, path, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (run_cli (args, &out, &err), ==, 3);
      g_assert_nonnull (strstr (out, expected));
      g_assert_true (g_str_has_suffix (good, "good.xml"));
      g_assert_nonnull (strstr (out, "good.xml: ok\n"));
    }
  {
    const char *args[] = { "forms", "check", good, missing, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_assert_cmpint (run_cli (args, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, missing));
  }
  {
    const char *args[] = { "forms", "check", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_assert_cmpint (run_cli (args, &out, &err), ==, 2);
  }
  {
    const char *args[] = { "forms", "--help", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "file:line: node: reason"));
  }
  g_assert_cmpint (g_remove (good), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A household roster of 10 children x 50 questions: one answer, timed. */
static void
test_recalculation_time (void)
{
  g_autoptr(GString) text = g_string_new (HEAD "<h:head><model><instance><hh id='big'><n/><kids>");
  g_autoptr(GString) binds = g_string_new (NULL);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(ClmrsForm) form = NULL;
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(GTimer) timer = NULL;
  g_autoptr(GPtrArray) prompts = NULL;
  double per_answer;
  const int rounds = 40;

  g_string_append (text, "<kid jr:template=''>");
  for (int q = 1; q <= 50; q++)
    {
      g_string_append_printf (text, "<q%d/>", q);
      g_string_append_printf (binds, "<bind nodeset='/hh/kids/kid/q%d' type='int'%s/>\n", q,
                              q == 1 ? "" : q % 5 == 0 ? " calculate='../q1 * 2 + ../q2'" : " relevant='../q1 &gt; 0'");
      g_string_append_printf (body, "<input ref='/hh/kids/kid/q%d'><label>Q%d</label></input>\n", q, q);
    }
  g_string_append (text, "<total/></kid></kids><sum/></hh></instance>\n");
  g_string_append (text, binds->str);
  g_string_append (text, "<bind nodeset='/hh/n' type='int'/>"
                         "<bind nodeset='/hh/kids/kid/total' type='int' calculate='../q5 + ../q10 + ../q50'/>"
                         "<bind nodeset='/hh/sum' type='int' calculate='sum(/hh/kids/kid/total)'/>"
                         "</model></h:head><h:body><input ref='/hh/n'/>"
                         "<repeat nodeset='/hh/kids/kid' jr:count='/hh/n'>");
  g_string_append (text, body->str);
  g_string_append (text, "</repeat></h:body></h:html>");

  form = load (text->str);
  session = clmrs_form_session_new (form, NULL);
  set_ok (session, "/hh/n", "10");
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/hh/kids/kid"), ==, 10);

  timer = g_timer_new ();
  for (int r = 0; r < rounds; r++)
    {
      g_autofree char *value = g_strdup_printf ("%d", r % 2);
      g_autofree char *ref = g_strdup_printf ("/hh/kids/kid[%d]/q1", 1 + r % 10);
      set_ok (session, ref, value);
    }
  per_answer = g_timer_elapsed (timer, NULL) * 1000.0 / rounds;
  g_test_message ("set_answer with 10 children x 50 questions: %.3f ms", per_answer);
  if (g_getenv ("CLMRS_SANITIZED") == NULL)
    g_assert_cmpfloat (per_answer, <, 5.0);

  set_ok (session, "/hh/kids/kid[3]/q1", "4");
  set_ok (session, "/hh/kids/kid[3]/q2", "1");
  assert_answer (session, "/hh/kids/kid[3]/q5", "9");
  assert_answer (session, "/hh/kids/kid[3]/total", "27");
  g_timer_start (timer);
  prompts = clmrs_form_session_get_prompts (session);
  g_test_message ("get_prompts: %.3f ms for %u prompts", g_timer_elapsed (timer, NULL) * 1000.0, prompts->len);
}


/* Each ODK function, evaluated by a calculate on a one-node form. */
static void
test_functions (void)
{
  static const struct { const char *expr; const char *expected; } cases[] = {
    { "selected('a b c', 'b')", "true" },
    { "selected('a b c', 'd')", "false" },
    { "count-selected(' a  b c ')", "3" },
    { "selected-at('a b c', 1)", "b" },
    { "selected-at('a b c', 5)", "" },
    { "if(1 &gt; 2, 'y', 'n')", "n" },
    { "coalesce('', 'z')", "z" },
    { "coalesce('a', 'z')", "a" },
    { "int(-3.7)", "-3" },
    { "int('7.9')", "7" },
    { "round(2.456, 2)", "2.46" },
    { "round(2.5)", "3" },
    { "round(-2.5)", "-3" },
    { "boolean-from-string('true')", "true" },
    { "boolean-from-string('no')", "false" },
    { "regex('abc123', '^[a-z]+[0-9]+$')", "true" },
    { "regex('abc', '^[0-9]+$')", "false" },
    { "substr('hello', 1, 3)", "el" },
    { "substr('hello', 2)", "llo" },
    { "string-length('h\xc3\xa9llo')", "5" },
    { "concat('uuid:', 'x', 1)", "uuid:x1" },
    { "contains('cocoa', 'coa')", "true" },
    { "starts-with('cocoa', 'co')", "true" },
    { "format-date('2024-03-05', '%d/%m/%Y')", "05/03/2024" },
    { "format-date('2024-03-05', '%e %b %y %a')", "5 Mar 24 Tue" },
    { "decimal-date-time('1970-01-02')", "1" },
    { "decimal-date-time('1970-01-01T12:00:00Z')", "0.5" },
    { "date(19000)", "2022-01-08" },
    { "date('2022-01-08T10:00:00Z')", "2022-01-08" },
    { "today()", "2026-11-23" },
    { "int((decimal-date-time(today()) - decimal-date-time('2010-11-24')) div 365.25)", "15" },
    { "min(3, 1, 2)", "1" },
    { "max(3, 1, 2)", "3" },
    { "min('a', 1)", "" },
    { "join(', ', 'a', 'b')", "a, b" },
    { "string-length(uuid())", "36" },
    { "string-length(uuid(8))", "8" },
    { "not(true())", "false" },
    { "number('4') + 1", "5" },
    { "once('first')", "first" },
    { "abs(-2)", "2" },
    { "pow(2, 10)", "1024" },
    { "starts-with(now(), '20')", "true" },
    { "count-non-empty(/data/*)", "1" },
    { "string-length(/data/x)", "1" },
  };

  g_setenv ("CLMRS_TODAY", "2026-11-23", TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf (HEAD "<h:head><model><instance><data id='f'><x>v</x><r/></data></instance>"
                                               "<bind nodeset='/data/r' calculate=\"%s\"/>"
                                               "</model></h:head><h:body/></h:html>", cases[i].expr);
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsForm) form = clmrs_form_load_data (text, strlen (text), "functions.xml", &error);
      g_autoptr(ClmrsFormSession) session = NULL;
      g_autofree char *value = NULL;

      g_assert_no_error (error);
      session = clmrs_form_session_new (form, NULL);
      value = clmrs_form_session_get_answer (session, "/data/r");
      if (g_strcmp0 (value ? value : "", cases[i].expected) != 0)
        g_error ("%s gave '%s', expected '%s'", cases[i].expr, value ? value : "", cases[i].expected);
    }
  g_unsetenv ("CLMRS_TODAY");
}

/* Dates in arithmetic and ordering count as days, as JavaRosa has it. */
static void
test_date_arithmetic (void)
{
  static const char text[] =
    HEAD
    "<h:head><model><instance><data id='dates'><dob/><age/><days/><due/><late/>\n"
    "  <kids><kid jr:template=''><kdob/><kage/><next/></kid></kids></data></instance>\n"
    "<bind nodeset='/data/dob' type='date'/>\n"
    "<bind nodeset='/data/age' type='int' calculate='int((today() - /data/dob) div 365.25)'/>\n"
    "<bind nodeset='/data/days' type='int' calculate='today() - /data/dob'/>\n"
    "<bind nodeset='/data/due' type='date'/>\n"
    "<bind nodeset='/data/late' type='string' calculate=\"if(/data/due &lt; today(), 'late', if(/data/due = today(), 'today', 'ok'))\"/>\n"
    "<bind nodeset='/data/kids/kid/kdob' type='date'/>\n"
    "<bind nodeset='/data/kids/kid/kage' type='int'"
    "      calculate='int((decimal-date-time(today()) - /data/kids/kid/kdob) div 365.25)'/>\n"
    "<bind nodeset='/data/kids/kid/next' type='date' calculate='/data/kids/kid/kdob + 365'/>\n"
    "</model></h:head><h:body><input ref='/data/dob'/><input ref='/data/due'/>\n"
    "<repeat nodeset='/data/kids/kid'><input ref='/data/kids/kid/kdob'/></repeat></h:body></h:html>\n";
  g_autoptr(ClmrsForm) form = NULL;
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autofree char *first = NULL, *second = NULL;

  g_setenv ("CLMRS_TODAY", "2026-11-23", TRUE);
  form = load (text);
  session = clmrs_form_session_new (form, NULL);
  set_ok (session, "/data/dob", "2014-11-24");
  assert_answer (session, "/data/age", "11");
  assert_answer (session, "/data/days", "4382");
  set_ok (session, "/data/dob", "2014-11-23");
  assert_answer (session, "/data/age", "12");
  set_ok (session, "/data/due", "2026-11-22");
  assert_answer (session, "/data/late", "late");
  set_ok (session, "/data/due", "2026-11-23");
  assert_answer (session, "/data/late", "today");
  set_ok (session, "/data/due", "2027-01-01");
  assert_answer (session, "/data/late", "ok");

  first = clmrs_form_session_add_repeat (session, "/data/kids/kid", NULL);
  second = clmrs_form_session_add_repeat (session, "/data/kids/kid", NULL);
  set_ok (session, "/data/kids/kid[1]/kdob", "2010-01-01");
  set_ok (session, "/data/kids/kid[2]/kdob", "2020-06-30");
  assert_answer (session, "/data/kids/kid[1]/kage", "16");
  assert_answer (session, "/data/kids/kid[2]/kage", "6");
  assert_answer (session, "/data/kids/kid[2]/next", "2021-06-30");
  g_unsetenv ("CLMRS_TODAY");
}

/* pyxform's trigger column: a setvalue on xforms-value-changed inside the
 * control, in the same repeat instance. */
static void
test_value_changed (void)
{
  static const char text[] =
    HEAD
    "<h:head><model><instance><data id='vc'><q/><q_seen/><r jr:template=''><x/><x_copy/><x_count>0</x_count></r>"
    "</data></instance>\n"
    "<bind nodeset='/data/q_seen' type='string' readonly='true()'/>\n"
    "<bind nodeset='/data/r/x_copy' type='string' readonly='true()'/>\n"
    "<bind nodeset='/data/r/x_count' type='int' readonly='true()'/>\n"
    "</model></h:head><h:body>\n"
    "<input ref='/data/q'><setvalue event='xforms-value-changed' ref='/data/q_seen' value=\"concat('saw ', /data/q)\"/></input>\n"
    "<repeat nodeset='/data/r'><input ref='/data/r/x'>\n"
    "  <setvalue event='xforms-value-changed' ref='/data/r/x_copy' value='../x'/>\n"
    "  <odk:setvalue event='xforms-value-changed' ref='/data/r/x_count' value='../x_count + 1'/></input>\n"
    "</repeat></h:body></h:html>\n";
  g_autoptr(ClmrsForm) form = load (text);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autofree char *first = NULL, *second = NULL;

  set_ok (session, "/data/q", "hello");
  assert_answer (session, "/data/q_seen", "saw hello");
  first = clmrs_form_session_add_repeat (session, "/data/r", NULL);
  second = clmrs_form_session_add_repeat (session, "/data/r", NULL);
  set_ok (session, "/data/r[2]/x", "b");
  set_ok (session, "/data/r[2]/x", "c");
  set_ok (session, "/data/r[2]/x", "c");
  assert_answer (session, "/data/r[2]/x_copy", "c");
  assert_answer (session, "/data/r[2]/x_count", "2");
  assert_answer (session, "/data/r[1]/x_copy", NULL);
  assert_answer (session, "/data/r[1]/x_count", "0");
}

/* The older orx: meta block: namespaced instance elements in paths. */
static void
test_orx_meta (void)
{
  static const char text[] =
    HEAD
    "<h:head><model><instance><data id='orx' orx:version='5'><a/><copy/>"
    "<orx:meta><orx:instanceID/><orx:timeStart/></orx:meta></data></instance>\n"
    "<bind nodeset='/data/orx:meta/orx:instanceID' type='string' calculate=\"concat('uuid:', uuid())\"/>\n"
    "<bind nodeset='/data/orx:meta/orx:timeStart' type='dateTime' jr:preload='timestamp' jr:preloadParams='start'/>\n"
    "<bind nodeset='/data/copy' type='string' calculate='concat(/data/a, substr(/data/orx:meta/orx:instanceID, 0, 5))'/>\n"
    "</model></h:head><h:body><input ref='/data/a'/></h:body></h:html>\n";
  g_autoptr(ClmrsForm) form = load (text);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *xml = NULL;
  const char *id = clmrs_form_session_get_instance_id (session);

  g_assert_nonnull (id);
  g_assert_true (g_str_has_prefix (id, "uuid:"));
  set_ok (session, "/data/a", "x");
  assert_answer (session, "/data/copy", "xuuid:");
  assert_answer (session, "/data/orx:meta/orx:instanceID", id);
  json = clmrs_form_session_to_json (session);
  g_assert_true (json_object_has_member (json_node_get_object (json), "orx:meta"));
  xml = clmrs_form_session_to_xml (session);
  g_assert_nonnull (strstr (xml, "<orx:instanceID>uuid:"));
}

/* jr:choice-name, indexed-repeat, nested repeats, jr:noAddRemove. */
static const char nested_form[] =
  HEAD
  "<h:head><model><instance><r id='nested'>\n"
  "  <pick/><pick_label/><second_name/>\n"
  "  <a jr:template=''><name/><b jr:template=''><v/></b><nb/></a>\n"
  "  <fixed><f/></fixed><fixed><f/></fixed>\n"
  "</r></instance>\n"
  "<bind nodeset='/r/pick' type='select1'/>\n"
  "<bind nodeset='/r/pick_label' calculate=\"jr:choice-name(/r/pick, '/r/pick')\"/>\n"
  "<bind nodeset='/r/second_name' calculate='indexed-repeat(/r/a/name, /r/a, 2)'/>\n"
  "<bind nodeset='/r/a/nb' type='int' calculate='count(../b)'/>\n"
  "</model></h:head><h:body>\n"
  "<select1 ref='/r/pick'><label>Pick</label><item><label>Cocoa</label><value>cocoa</value></item>"
  "<item><label>Maize</label><value>maize</value></item></select1>\n"
  "<repeat nodeset='/r/a'><input ref='/r/a/name'/>\n"
  "  <repeat nodeset='/r/a/b'><input ref='/r/a/b/v'/></repeat></repeat>\n"
  "<repeat nodeset='/r/fixed' jr:noAddRemove='true()'><input ref='/r/fixed/f'/></repeat>\n"
  "</h:body></h:html>\n";

static void
test_nested_repeats (void)
{
  g_autoptr(ClmrsForm) form = load (nested_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) prompts = NULL;
  g_autofree char *a1 = NULL, *a2 = NULL, *b = NULL, *b2 = NULL;

  set_ok (session, "/r/pick", "maize");
  assert_answer (session, "/r/pick_label", "Maize");

  a1 = clmrs_form_session_add_repeat (session, "/r/a", &error);
  a2 = clmrs_form_session_add_repeat (session, "/r/a", &error);
  g_assert_no_error (error);
  set_ok (session, "/r/a[1]/name", "first");
  set_ok (session, "/r/a[2]/name", "second");
  assert_answer (session, "/r/second_name", "second");

  b = clmrs_form_session_add_repeat (session, "/r/a[2]/b", &error);
  g_assert_cmpstr (b, ==, "/r/a[2]/b[1]");
  b2 = clmrs_form_session_add_repeat (session, "/r/a[2]/b", &error);
  g_assert_cmpstr (b2, ==, "/r/a[2]/b[2]");
  g_assert_no_error (error);
  set_ok (session, "/r/a[2]/b[2]/v", "x");
  assert_answer (session, "/r/a[1]/nb", "0");
  assert_answer (session, "/r/a[2]/nb", "2");
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/r/a[2]/b"), ==, 2);
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/r/a[1]/b"), ==, 0);

  prompts = clmrs_form_session_get_prompts (session);
  g_assert_cmpstr (find_prompt (prompts, "/r/a[2]/b[2]/v")->repeat, ==, "/r/a[2]/b[2]");
  g_assert_cmpint (find_prompt (prompts, "/r/a[1]/b")->kind, ==, CLMRS_PROMPT_REPEAT_ADD);
  g_assert_nonnull (find_prompt (prompts, "/r/fixed[2]/f"));
  g_assert_null (find_prompt (prompts, "/r/fixed"));

  g_assert_null (clmrs_form_session_add_repeat (session, "/r/fixed", &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_READONLY);
}

static void
test_builtin_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsForm) form = clmrs_form_load_builtin ("no_such_form", &error);

  g_assert_null (form);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "no_such_form"));
}


/* Damaged forms (cut short, bytes changed) are refused or loaded, never a
 * crash, and a form that loads can be filled. */
static void
test_damaged_forms (void)
{
  gsize length = strlen (household_form);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261123);
  guint loaded = 0, refused = 0;

  for (gsize cut = 0; cut < length; cut += 53)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsForm) form = clmrs_form_load_data (household_form, cut, "cut.xml", &error);
      g_assert_true ((form == NULL) != (error == NULL));
      refused += form == NULL;
    }
  for (int round = 0; round < 300; round++)
    {
      static const char junk[] = "<>/'\"=&;[]()*.:@$ az09+-";
      g_autofree char *copy = g_strdup (household_form);
      g_autoptr(GError) error = NULL;
      g_autoptr(ClmrsForm) form = NULL;

      /* Mostly inside names and expressions, sometimes anywhere. */
      for (int k = 0; k < 2; k++)
        {
          gsize at = g_rand_int_range (rand, 0, length);
          while (round % 4 != 0 && !g_ascii_isalnum (copy[at]) && copy[at] != '/' && copy[at] != '.')
            at = (at + 1) % length;
          copy[at] = junk[g_rand_int_range (rand, round % 4 != 0 ? 9 : 0, sizeof junk - 1)];
        }
      form = clmrs_form_load_data (copy, length, "damaged.xml", &error);
      g_assert_true ((form == NULL) != (error == NULL));
      if (form != NULL)
        {
          g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
          g_autoptr(GPtrArray) prompts = NULL;
          g_autoptr(JsonNode) json = NULL;
          g_autofree char *child = clmrs_form_session_add_repeat (session, "/hh/children/child", NULL);
          clmrs_form_session_set_answer (session, "/hh/children/child[1]/age", "7", NULL);
          prompts = clmrs_form_session_get_prompts (session);
          json = clmrs_form_session_to_json (session);
          loaded++;
        }
      else
        refused++;
    }
  g_test_message ("damaged forms: %u loaded, %u refused", loaded, refused);
  g_assert_cmpuint (refused, >, 0);

  {
    GString *deep = g_string_new (HEAD "<h:head><model><instance><data id='d'><a/></data></instance>"
                                  "<bind nodeset='/data/a' calculate='");
    g_autoptr(GError) error = NULL;
    g_autoptr(ClmrsForm) form = NULL;
    for (int i = 0; i < 5000; i++)
      g_string_append_c (deep, '(');
    g_string_append (deep, "1'/></model></h:head><h:body/></h:html>");
    form = clmrs_form_load_data (deep->str, deep->len, "deep.xml", &error);
    g_assert_null (form);
    g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_XPATH);
    g_string_free (deep, TRUE);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xform/simple-fill", test_simple_fill);
  g_test_add_func ("/xform/repeats-and-itext", test_repeats_and_itext);
  g_test_add_func ("/xform/nonrelevant-values", test_nonrelevant_values);
  g_test_add_func ("/xform/validate", test_validate);
  g_test_add_func ("/xform/draft-round-trip", test_draft_round_trip);
  g_test_add_func ("/xform/apply-values-refuses", test_apply_values_refuses);
  g_test_add_func ("/xform/to-json-shape", test_to_json_shape);
  g_test_add_func ("/xform/load-json", test_load_json);
  g_test_add_func ("/xform/entities", test_entities);
  g_test_add_func ("/xform/repeat-instances", test_repeat_instances);
  g_test_add_func ("/xform/calculate-order", test_calculate_order);
  g_test_add_func ("/xform/repeat-count", test_repeat_count);
  g_test_add_func ("/xform/refusals", test_refusals);
  g_test_add_func ("/xform/inherited-relevance", test_inherited_relevance);
  g_test_add_func ("/xform/types", test_types);
  g_test_add_func ("/xform/pyxform-shape", test_pyxform_shape);
  g_test_add_func ("/xform/functions", test_functions);
  g_test_add_func ("/xform/date-arithmetic", test_date_arithmetic);
  g_test_add_func ("/xform/value-changed", test_value_changed);
  g_test_add_func ("/xform/orx-meta", test_orx_meta);
  g_test_add_func ("/xform/nested-repeats", test_nested_repeats);
  g_test_add_func ("/xform/builtin-missing", test_builtin_missing);
  g_test_add_func ("/xform/damaged-forms", test_damaged_forms);
  g_test_add_func ("/xform/broken-forms-refused", test_broken_forms_refused);
  g_test_add_func ("/xform/check-collects-all", test_check_collects_all);
  g_test_add_func ("/xform/inline-refusals", test_inline_refusals);
  g_test_add_func ("/xform/cli-forms-check", test_cli_forms_check);
  g_test_add_func ("/xform/recalculation-time", test_recalculation_time);

  return g_test_run ();
}
