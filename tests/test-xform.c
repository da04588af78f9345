/* test-xform.c: the XForms engine loads, fills, recalculates and refuses forms as documented. */
#include "xform.h"

#include <string.h>

#define HEAD \
  "<?xml version=\"1.0\"?>\n" \
  "<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\"\n" \
  "        xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\"\n" \
  "        xmlns:odk=\"http://www.opendatakit.org/xforms\" xmlns:clmrs=\"urn:clmrs:xforms:1\">\n"

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

static ClmrsPrompt *
find_prompt (GPtrArray  *prompts,
             const char *ref)
{
  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *prompt = prompts->pdata[i];
      if (g_str_equal (prompt->ref, ref))
        return prompt;
    }
  return NULL;
}

static void
assert_answer (ClmrsFormSession *session,
               const char       *ref,
               const char       *expected)
{
  g_autofree char *value = clmrs_form_session_get_answer (session, ref);
  g_assert_cmpstr (value, ==, expected);
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

  /* As in JavaRosa, a non-relevant node keeps its value for expressions. */
  g_assert_nonnull (find_prompt (prompts, "/data/grade"));
  g_assert_true (clmrs_form_session_set_answer (session, "/data/age", "10", &error));
  g_assert_true (clmrs_form_session_set_answer (session, "/data/school", "no", &error));
  g_clear_pointer (&prompts, g_ptr_array_unref);
  prompts = clmrs_form_session_get_prompts (session);
  g_assert_null (find_prompt (prompts, "/data/grade"));
  g_assert_cmpint (clmrs_form_session_check (session, "/data/grade", NULL), ==, CLMRS_CHECK_OK);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xform/simple-fill", test_simple_fill);

  return g_test_run ();
}
