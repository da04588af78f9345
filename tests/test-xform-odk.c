/* test-xform-odk.c: the engine does what ODK's engines do with the forms ODK tools produce. */
#include "xform.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "xform-test-helpers.h"

#include <math.h>

static ClmrsForm *
load_with_media (const char *text,
                 const char *media_dir)
{
  g_autoptr(GError) error = NULL;
  ClmrsForm *form = clmrs_form_load_full (text, strlen (text), "test.xml",
                                          media_dir ? clmrs_form_media_from_dir : NULL,
                                          (gpointer) media_dir, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (form);
  return form;
}

static ClmrsForm *
load (const char *text)
{
  return load_with_media (text, NULL);
}

/* The problems of @text, warnings included; asserts whether it loads. */
static GPtrArray *
problems_of (const char *text,
             const char *media_dir,
             gboolean    loads)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsForm) form = NULL;
  GPtrArray *problems = NULL;

  form = clmrs_form_load_full (text, strlen (text), "test.xml",
                               media_dir ? clmrs_form_media_from_dir : NULL, (gpointer) media_dir,
                               &problems, &error);
  g_assert_true ((form != NULL) == loads);
  g_assert_true ((error == NULL) == loads);
  return problems;
}

static void
set (ClmrsFormSession *session,
     const char       *ref,
     const char       *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (clmrs_form_session_set_answer (session, ref, value, &error));
  g_assert_no_error (error);
}

static void
refuse (ClmrsFormSession *session,
        const char       *ref,
        const char       *value,
        const char       *reason)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (clmrs_form_session_set_answer (session, ref, value, &error));
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_TYPE);
  if (strstr (error->message, reason) == NULL)
    g_error ("got '%s', expected '%s'", error->message, reason);
}

/* The choices of @ref's prompt, values space-separated. */
static char *
choice_values (ClmrsFormSession *session,
               const char       *ref)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (session);
  ClmrsPrompt *prompt = find_prompt (prompts, ref);
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_nonnull (prompt);
  g_assert_nonnull (prompt->choices);
  for (guint i = 0; i < prompt->choices->len; i++)
    g_string_append_printf (out, "%s%s", i ? " " : "", ((ClmrsChoice *) prompt->choices->pdata[i])->value);
  return g_strdup (out->str);
}

/* ------------------------------------------------------------------ */
/* Expressions: one parse gives what they read and how they are rewritten */

/* Each calculate reads through a different part of the walk over the
 * parsed expression (app/xform-expr.c): a wrong dependency leaves a value
 * stale when what it reads changes, a wrong rewrite a wrong value or a
 * refused form.  The last three were refused before the engine parsed
 * once (a date operand after "and", under current(), and an absolute path
 * into a repeat inside a secondary instance's predicate). */
static const char expressions_form[] =
  HEAD "<h:head><model><instance><data id='exprs'>"
  "<d/><e/><dt/><gap/><order/><later/><glued/>"
  "<rep jr:template=''><n/><twice/><k/><fruit/><dd/><due/></rep>"
  "<meta><instanceID/></meta></data></instance>"
  "<instance id='list'><root><item><name>a</name><label>Apple</label></item>"
  "<item><name>b</name><label>Banana</label></item></root></instance>"
  "<bind nodeset='/data/d' type='date'/>"
  "<bind nodeset='/data/e' type='date'/>"
  "<bind nodeset='/data/dt' type='dateTime'/>"
  "<bind nodeset='/data/gap' type='decimal' calculate='/data/e - /data/d'/>"
  "<bind nodeset='/data/order' type='string' calculate=\"if(/data/d &lt; /data/e, 'before', 'not before')\"/>"
  "<bind nodeset='/data/later' type='string' calculate=\"if(/data/dt &gt; /data/d, 'later', 'not later')\"/>"
  "<bind nodeset='/data/glued' type='string' calculate='1 and/data/d - 1'/>"
  "<bind nodeset='/data/rep/n' type='int'/>"
  "<bind nodeset='/data/rep/twice' type='int' calculate='/data/rep/n * 2'/>"
  "<bind nodeset='/data/rep/k' type='string'/>"
  "<bind nodeset='/data/rep/fruit' type='string' calculate=\"instance('list')/root/item[name = /data/rep/k]/label\"/>"
  "<bind nodeset='/data/rep/dd' type='date'/>"
  "<bind nodeset='/data/rep/due' type='decimal' calculate='current()/../dd - 1'/>"
  "</model></h:head><h:body>"
  "<input ref='/data/d'/><input ref='/data/e'/><input ref='/data/dt'/>"
  "<repeat nodeset='/data/rep'><input ref='/data/rep/n'/><input ref='/data/rep/k'/>"
  "<input ref='/data/rep/dd'/></repeat>"
  "</h:body></h:html>";

static void
test_expressions (void)
{
  g_autoptr(ClmrsForm) form = load (expressions_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  /* dates are days in arithmetic, compared as dates */
  set (session, "/data/d", "2024-01-01");
  set (session, "/data/e", "2024-01-31");
  assert_answer (session, "/data/gap", "30");
  assert_answer (session, "/data/order", "before");
  assert_answer (session, "/data/glued", "true");
  set (session, "/data/e", "2023-12-31");
  assert_answer (session, "/data/gap", "-1");
  assert_answer (session, "/data/order", "not before");
  set (session, "/data/dt", "2024-01-01T10:00:00Z");
  assert_answer (session, "/data/later", "later");
  set (session, "/data/d", "2024-01-02");
  assert_answer (session, "/data/later", "not later");
  assert_answer (session, "/data/gap", "-2");
  set (session, "/data/d", "1970-01-02");
  assert_answer (session, "/data/glued", "false");

  /* /data/rep/... inside the repeat is the same instance's node */
  first = clmrs_form_session_add_repeat (session, "/data/rep", &error);
  second = clmrs_form_session_add_repeat (session, "/data/rep", &error);
  g_assert_no_error (error);
  set (session, "/data/rep[1]/n", "3");
  set (session, "/data/rep[2]/n", "5");
  assert_answer (session, "/data/rep[1]/twice", "6");
  assert_answer (session, "/data/rep[2]/twice", "10");
  set (session, "/data/rep[1]/n", "4");
  assert_answer (session, "/data/rep[1]/twice", "8");
  assert_answer (session, "/data/rep[2]/twice", "10");

  set (session, "/data/rep[2]/k", "b");
  set (session, "/data/rep[1]/k", "a");
  assert_answer (session, "/data/rep[1]/fruit", "Apple");
  assert_answer (session, "/data/rep[2]/fruit", "Banana");

  set (session, "/data/rep[2]/dd", "1970-01-11");
  assert_answer (session, "/data/rep[2]/due", "9");
  assert_answer (session, "/data/rep[1]/due", NULL);
}

/* ------------------------------------------------------------------ */
/* Relative references                                                 */

/* pyxform's repeat count inside a repeat: jr:count=" ../child_repeat_count "
 * is the sibling of the repeat in the same household, not /data/... */
static const char count_form[] =
  HEAD "<h:head><model><instance><data id='count'>"
  "<hh jr:template=''><child_repeat_count/><child jr:template=''><name/></child></hh>"
  "<meta><instanceID/></meta></data></instance>"
  "<bind nodeset='/data/hh/child_repeat_count' type='int'/>"
  "<bind nodeset='/data/hh/child/name' type='string'/>"
  "</model></h:head><h:body>"
  "<repeat nodeset='/data/hh'>"
  " <input ref='/data/hh/child_repeat_count'/>"
  " <repeat nodeset='/data/hh/child' jr:count=' ../child_repeat_count '><input ref='/data/hh/child/name'/></repeat>"
  "</repeat></h:body></h:html>";

static void
test_relative_count (void)
{
  g_autoptr(ClmrsForm) form = load (count_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = clmrs_form_session_add_repeat (session, "/data/hh", &error);
  g_autofree char *second = clmrs_form_session_add_repeat (session, "/data/hh", &error);

  g_assert_no_error (error);
  set (session, "/data/hh[1]/child_repeat_count", "3");
  set (session, "/data/hh[2]/child_repeat_count", "1");
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/data/hh[1]/child"), ==, 3);
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/data/hh[2]/child"), ==, 1);
  set (session, "/data/hh[1]/child_repeat_count", "2");
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/data/hh[1]/child"), ==, 2);
  g_assert_cmpuint (clmrs_form_session_count_repeat (session, "/data/hh[2]/child"), ==, 1);
}

/* pyxform writes if(..., ..., null) for "no value"; JavaRosa reads the
 * absent node as empty, so the form loads, with a warning. */
static const char null_form[] =
  HEAD "<h:head><model><instance><data id='nulls'><a/><b/><meta><instanceID/></meta></data></instance>"
  "<bind nodeset='/data/a' type='string'/>"
  "<bind nodeset='/data/b' type='string' calculate=\"if(/data/a = 'x', 'yes', null)\"/>"
  "</model></h:head><h:body><input ref='/data/a'/></h:body></h:html>";

static void
test_absent_node_warns (void)
{
  g_autoptr(GPtrArray) problems = problems_of (null_form, NULL, TRUE);
  ClmrsFormProblem *problem;
  g_autofree char *text = NULL;
  g_autoptr(ClmrsForm) form = load (null_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);

  g_assert_cmpuint (problems->len, ==, 1);
  problem = problems->pdata[0];
  g_assert_true (problem->warning);
  text = clmrs_form_problem_to_string (problem);
  g_assert_cmpstr (text, ==, "test.xml:5: bind[@nodeset='/data/b']: warning: calculate "
                             "\"if(/data/a = 'x', 'yes', null)\": /data/b/null is not in the primary "
                             "instance; it reads as empty");
  assert_answer (session, "/data/b", NULL);
  set (session, "/data/a", "x");
  assert_answer (session, "/data/b", "yes");
  set (session, "/data/a", "y");
  assert_answer (session, "/data/b", NULL);
}

/* Bind nodesets relative to the primary instance's root (or to above it),
 * a control ref relative to its group, ".." and current() in a choice
 * filter inside a repeat. */
static const char relative_form[] =
  HEAD "<h:head><model><instance><data id='rel'>"
  "<age/><name/><grp><coop/></grp>"
  "<farm jr:template=''><coop/><farmer/></farm><meta><instanceID/></meta></data></instance>"
  "<instance id='farmers'><root>"
  " <item><name>f1</name><label>Ama</label><coop>c1</coop></item>"
  " <item><name>f2</name><label>Kofi</label><coop>c2</coop></item>"
  " <item><name>f3</name><label>Yaw</label><coop>c1</coop></item>"
  "</root></instance>"
  "<bind nodeset='age' type='int'/>"
  "<bind nodeset='data/name' type='string' required='true()'/>"
  "<bind nodeset='/data/grp/coop' type='string'/>"
  "<bind nodeset='/data/farm/coop' type='string' calculate='../../grp/coop'/>"
  "<bind nodeset='/data/farm/farmer' type='string'/>"
  "</model></h:head><h:body>"
  "<input ref='/data/age'/><input ref='/data/name'/>"
  "<group ref='/data/grp'><input ref='coop'/></group>"
  "<repeat nodeset='/data/farm'>"
  " <select1 ref='/data/farm/farmer'><itemset nodeset=\"instance('farmers')/root/item[coop = current()/../coop]\">"
  "  <value ref='name'/><label ref='label'/></itemset></select1>"
  "</repeat></h:body></h:html>";

static void
test_relative_refs (void)
{
  g_autoptr(ClmrsForm) form = load (relative_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *instance = NULL;
  g_autofree char *choices = NULL;

  refuse (session, "/data/age", "ten", "is not a valid");
  set (session, "/data/age", "10");
  problems = clmrs_form_session_validate (session);
  g_assert_cmpuint (problems->len, ==, 1);   /* name is required */
  g_assert_cmpstr (((ClmrsFormProblem *) problems->pdata[0])->node, ==, "/data/name");

  set (session, "/data/grp/coop", "c1");
  instance = clmrs_form_session_add_repeat (session, "/data/farm", &error);
  g_assert_no_error (error);
  assert_answer (session, "/data/farm[1]/coop", "c1");
  choices = choice_values (session, "/data/farm[1]/farmer");
  g_assert_cmpstr (choices, ==, "f1 f3");
  refuse (session, "/data/farm[1]/farmer", "f2", "is not one of the choices");
  set (session, "/data/farm[1]/farmer", "f3");
}

/* Adding a repeat instance settles what reads it without recomputing the
 * whole form: a count and a sum outside, its own relevance and
 * calculations, a relevance outside that reads it. */
static const char settle_form[] =
  HEAD "<h:head><model><instance><data id='settle'><gate/>"
  "<kid jr:template=''><age/><twice/><school/></kid><n/><total/><many/>"
  "<meta><instanceID/></meta></data></instance>"
  "<bind nodeset='/data/gate' type='int'/>"
  "<bind nodeset='/data/kid/age' type='int'/>"
  "<bind nodeset='/data/kid/twice' type='int' calculate='../age * 2'/>"
  "<bind nodeset='/data/kid/school' type='string' relevant='/data/gate = 1 and ../age &gt; 4'/>"
  "<bind nodeset='/data/n' type='int' calculate='count(/data/kid)'/>"
  "<bind nodeset='/data/total' type='int' calculate='sum(/data/kid/twice)'/>"
  "<bind nodeset='/data/many' type='string' relevant='count(/data/kid) &gt; 1'/>"
  "</model></h:head><h:body><input ref='/data/gate'/>"
  "<repeat nodeset='/data/kid'><input ref='/data/kid/age'/><input ref='/data/kid/school'/></repeat>"
  "<input ref='/data/many'/></h:body></h:html>";

static gboolean
has_prompt (ClmrsFormSession *session,
            const char       *ref)
{
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (session);

  return find_prompt (prompts, ref) != NULL;
}

static void
test_new_instance_settles (void)
{
  g_autoptr(ClmrsForm) form = load (settle_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  set (session, "/data/gate", "1");
  first = clmrs_form_session_add_repeat (session, "/data/kid", &error);
  g_assert_no_error (error);
  assert_answer (session, "/data/n", "1");
  g_assert_false (has_prompt (session, "/data/many"));
  g_assert_false (has_prompt (session, "/data/kid[1]/school"));
  set (session, "/data/kid[1]/age", "7");
  assert_answer (session, "/data/kid[1]/twice", "14");
  g_assert_true (has_prompt (session, "/data/kid[1]/school"));

  second = clmrs_form_session_add_repeat (session, "/data/kid", &error);
  g_assert_no_error (error);
  assert_answer (session, "/data/n", "2");
  assert_answer (session, "/data/total", NULL);   /* sum() of an empty twice: NaN, as in JavaRosa */
  g_assert_true (has_prompt (session, "/data/many"));
  g_assert_false (has_prompt (session, "/data/kid[2]/school"));
  set (session, "/data/kid[2]/age", "5");
  assert_answer (session, "/data/total", "24");
  g_assert_true (has_prompt (session, "/data/kid[2]/school"));
  set (session, "/data/gate", "0");
  g_assert_false (has_prompt (session, "/data/kid[2]/school"));
  g_clear_pointer (&second, g_free);
  second = clmrs_form_session_add_repeat (session, "/data/kid", &error);
  set (session, "/data/kid[3]/age", "9");
  g_assert_false (has_prompt (session, "/data/kid[3]/school"));
  assert_answer (session, "/data/n", "3");
}

/* ------------------------------------------------------------------ */
/* Preloads and actions                                                */

static const char preload_form[] =
  HEAD "<h:head><model><instance><data id='pre'>"
  "<start/><today/><device/><who/><ctx/><loc/><first/><picked/><stamp/><added/><label_added/>"
  "<visit jr:template=''><pos/><where/></visit>"
  "<meta><instanceID/></meta></data></instance>"
  "<bind nodeset='/data/start' type='dateTime' jr:preload='timestamp' jr:preloadParams='start'/>"
  "<bind nodeset='/data/today' type='date' jr:preload='date' jr:preloadParams='today'/>"
  "<bind nodeset='/data/device' type='string' jr:preload='property' jr:preloadParams='deviceid'/>"
  "<bind nodeset='/data/who' type='string' jr:preload='property' jr:preloadParams='username'/>"
  "<bind nodeset='/data/ctx' type='string' jr:preload='context' jr:preloadParams='user'/>"
  "<bind nodeset='/data/loc' type='geopoint'/>"
  "<bind nodeset='/data/first' type='string'/>"
  "<bind nodeset='/data/picked' type='string'/>"
  "<bind nodeset='/data/stamp' type='string'/>"
  "<bind nodeset='/data/added' type='int'/>"
  "<bind nodeset='/data/label_added' type='string' calculate=\"concat(/data/added, ' visits')\"/>"
  "<bind nodeset='/data/visit/pos' type='int'/>"
  "<bind nodeset='/data/visit/where' type='geopoint'/>"
  "<bind nodeset='/data/meta/instanceID' type='string' jr:preload='uid'/>"
  "<setvalue event='odk-instance-first-load' ref='/data/first' value=\"concat('hello', '!')\"/>"
  "<odk:setgeopoint event='odk-instance-first-load' ref='/data/loc'/>"
  "</model></h:head><h:body>"
  "<input ref='/data/picked'><setvalue event='xforms-value-changed' ref='/data/stamp' value=\"concat('was ', /data/picked)\"/></input>"
  "<repeat nodeset='/data/visit'>"
  " <setvalue event='odk-new-repeat' ref='/data/visit/pos' value='position(..)'/>"
  " <setvalue event='odk-new-repeat' ref='/data/added' value='count(/data/visit)'/>"
  " <odk:setgeopoint event='odk-new-repeat' ref='/data/visit/where'/>"
  " <input ref='/data/visit/pos'/>"
  "</repeat></h:body></h:html>";

static void
test_preloads_and_actions (void)
{
  g_autoptr(GPtrArray) problems = problems_of (preload_form, NULL, TRUE);
  g_autoptr(ClmrsForm) form = load (preload_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *start = clmrs_form_session_get_answer (session, "/data/start");
  g_autofree char *today = clmrs_form_session_get_answer (session, "/data/today");
  g_autofree char *id = clmrs_form_session_get_answer (session, "/data/meta/instanceID");
  g_autofree char *second = NULL;
  g_autofree char *first = NULL;

  /* jr:preload="context" is not an ODK preload: a warning, left empty */
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_true (((ClmrsFormProblem *) problems->pdata[0])->warning);
  g_assert_cmpstr (((ClmrsFormProblem *) problems->pdata[0])->reason, ==,
                   "jr:preload 'context' is not an ODK preload; /data/ctx stays empty");
  assert_answer (session, "/data/ctx", NULL);

  g_assert_nonnull (start);
  g_assert_nonnull (today);
  g_assert_cmpuint (strlen (today), ==, 10);
  g_assert_true (g_str_has_prefix (id, "uuid:"));
  assert_answer (session, "/data/first", "hello!");

  /* properties the device knows, given to the session */
  assert_answer (session, "/data/device", NULL);
  clmrs_form_session_set_property (session, "deviceid", "clmrs:dev-42");
  assert_answer (session, "/data/device", "clmrs:dev-42");
  assert_answer (session, "/data/who", NULL);

  /* setgeopoint on first load fires before a fix: filled when it comes */
  assert_answer (session, "/data/loc", NULL);
  first = clmrs_form_session_add_repeat (session, "/data/visit", &error);
  g_assert_no_error (error);
  assert_answer (session, "/data/visit[1]/pos", "1");
  assert_answer (session, "/data/visit[1]/where", NULL);
  clmrs_form_session_set_location (session, "5.35 -4.02 12 8");
  assert_answer (session, "/data/loc", "5.35 -4.02 12 8");
  assert_answer (session, "/data/visit[1]/where", "5.35 -4.02 12 8");
  /* a later repeat takes the known location at once */
  second = clmrs_form_session_add_repeat (session, "/data/visit", &error);
  g_assert_no_error (error);
  assert_answer (session, "/data/visit[2]/pos", "2");
  /* an action in the repeat's body setting a node outside it, and what reads that node */
  assert_answer (session, "/data/added", "2");
  assert_answer (session, "/data/label_added", "2 visits");
  assert_answer (session, "/data/visit[2]/where", "5.35 -4.02 12 8");

  /* xforms-value-changed */
  assert_answer (session, "/data/stamp", NULL);
  set (session, "/data/picked", "cocoa");
  assert_answer (session, "/data/stamp", "was cocoa");
}

/* ------------------------------------------------------------------ */
/* range, rank, acknowledgements                                       */

static const char controls_form[] =
  HEAD "<h:head><model><instance><data id='ctl'><score/><weight/><order/><ok/>"
  "<meta><instanceID/></meta></data></instance>"
  "<bind nodeset='/data/score' type='int'/>"
  "<bind nodeset='/data/weight' type='decimal'/>"
  "<bind nodeset='/data/order' type='odk:rank'/>"
  "<bind nodeset='/data/ok' type='string' required='true()'/>"
  "</model></h:head><h:body>"
  "<range ref='/data/score' start='1' end='10' step='3'><label>Score</label></range>"
  "<range ref='/data/weight' start='2' end='0' step='0.5'><label>Weight</label></range>"
  "<odk:rank ref='/data/order'><label>Order</label>"
  " <item><label>A</label><value>a</value></item><item><label>B</label><value>b</value></item>"
  " <item><label>C</label><value>c</value></item></odk:rank>"
  "<trigger ref='/data/ok'><label>I have read this</label></trigger>"
  "</h:body></h:html>";

static void
test_range_rank_trigger (void)
{
  g_autoptr(ClmrsForm) form = load (controls_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (session);
  g_autoptr(GPtrArray) problems = NULL;
  ClmrsPrompt *score = find_prompt (prompts, "/data/score");
  ClmrsPrompt *order = find_prompt (prompts, "/data/order");
  ClmrsPrompt *ok = find_prompt (prompts, "/data/ok");

  g_assert_cmpint (score->control, ==, CLMRS_CONTROL_RANGE);
  g_assert_cmpfloat (score->range_start, ==, 1);
  g_assert_cmpfloat (score->range_end, ==, 10);
  g_assert_cmpfloat (score->range_step, ==, 3);
  set (session, "/data/score", "7");
  set (session, "/data/score", "10");
  refuse (session, "/data/score", "5", "is not on the range from 1 to 10 in steps of 3");
  refuse (session, "/data/score", "13", "is not on the range");
  set (session, "/data/weight", "1.5");
  set (session, "/data/weight", "0");
  refuse (session, "/data/weight", "2.5", "is not on the range");
  refuse (session, "/data/weight", "0.7", "is not on the range");

  g_assert_cmpint (order->control, ==, CLMRS_CONTROL_RANK);
  g_assert_cmpuint (order->choices->len, ==, 3);
  set (session, "/data/order", "c a b");
  assert_answer (session, "/data/order", "c a b");
  refuse (session, "/data/order", "a b", "a ranking orders all 3 choices, not 2");
  refuse (session, "/data/order", "a a b", "'a' is ranked twice");
  refuse (session, "/data/order", "a b d", "'d' is not one of the choices");

  g_assert_cmpint (ok->control, ==, CLMRS_CONTROL_TRIGGER);
  problems = clmrs_form_session_validate (session);
  g_assert_cmpuint (problems->len, ==, 1);
  refuse (session, "/data/ok", "yes", "an acknowledgement's value is OK");
  set (session, "/data/ok", "OK");
  g_clear_pointer (&problems, g_ptr_array_unref);
  problems = clmrs_form_session_validate (session);
  g_assert_cmpuint (problems->len, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Media answers                                                       */

/* A photo and a signature as ODK writes them (pyxform's image with
 * max-pixels, and appearance signature): a binary answer is the file's
 * name, which round-trips through JSON, XML and a draft's values. */
static const char media_form[] =
  HEAD "<h:head><model><instance><data id='media' version='1'>"
  "<photo/><signature/><meta><instanceID/></meta></data></instance>"
  "<bind nodeset='/data/photo' type='binary' orx:max-pixels='1024'/>"
  "<bind nodeset='/data/signature' type='binary' required='true()'/>"
  "</model></h:head><h:body>"
  "<upload ref='/data/photo' mediatype='image/*'><label>Photo of the support</label></upload>"
  "<upload ref='/data/signature' mediatype='image/*' appearance='signature'><label>Consent</label></upload>"
  "</h:body></h:html>";

static void
test_binary_answers (void)
{
  g_autoptr(ClmrsForm) form = load (media_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(ClmrsFormSession) again = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (session);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *xml = NULL;
  g_autoptr(GError) error = NULL;
  ClmrsPrompt *photo = find_prompt (prompts, "/data/photo");
  ClmrsPrompt *signature = find_prompt (prompts, "/data/signature");

  g_assert_cmpint (photo->control, ==, CLMRS_CONTROL_UPLOAD);
  g_assert_cmpint (photo->type, ==, CLMRS_TYPE_BINARY);
  g_assert_cmpstr (photo->mediatype, ==, "image/*");
  g_assert_cmpuint (photo->max_pixels, ==, 1024);
  g_assert_cmpstr (signature->appearance, ==, "signature");
  g_assert_cmpuint (signature->max_pixels, ==, 0);

  refuse (session, "/data/photo", "photos/a.jpg", "is not a valid file name");
  refuse (session, "/data/photo", "jr://images/a.jpg", "is not a valid file name");
  refuse (session, "/data/photo", ".hidden.jpg", "is not a valid file name");
  refuse (session, "/data/photo", "noextension", "is not a valid file name");
  problems = clmrs_form_session_validate (session);
  g_assert_cmpuint (problems->len, ==, 1);   /* the signature is required */
  set (session, "/data/photo", "1700000000001.jpg");
  set (session, "/data/signature", "5c1b2d3e.png");
  g_clear_pointer (&problems, g_ptr_array_unref);
  problems = clmrs_form_session_validate (session);
  g_assert_cmpuint (problems->len, ==, 0);

  json = clmrs_form_session_to_json (session);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "photo"), ==, "1700000000001.jpg");
  xml = clmrs_form_session_to_xml (session);
  g_assert_nonnull (strstr (xml, "<signature>5c1b2d3e.png</signature>"));
  values = clmrs_form_session_list_values (session);
  g_assert_true (clmrs_form_session_apply_values (again, values, &error));
  g_assert_no_error (error);
  assert_answer (again, "/data/photo", "1700000000001.jpg");
  assert_answer (again, "/data/signature", "5c1b2d3e.png");
}

/* An <upload> on a node that is not binary, or a bad max-pixels, is refused naming it. */
static void
test_binary_refusals (void)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *text = g_strdup (media_form);
  char *at = strstr (text, "type='binary' orx:max-pixels");
  g_autofree char *first = NULL;

  memcpy (at, "type='string'", strlen ("type='string'"));
  memset (at + strlen ("type='string'"), ' ', strlen ("type='binary'") - strlen ("type='string'"));
  problems = problems_of (text, NULL, FALSE);
  first = clmrs_form_problem_to_string (problems->pdata[0]);
  g_assert_nonnull (strstr (first, "an <upload> needs a bind of type binary on /data/photo"));
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_clear_pointer (&text, g_free);
  text = g_strdup (media_form);
  at = strstr (text, "'1024'");
  memcpy (at, "'-124'", 6);
  problems = problems_of (text, NULL, FALSE);
  g_clear_pointer (&first, g_free);
  first = clmrs_form_problem_to_string (problems->pdata[0]);
  g_assert_nonnull (strstr (first, "orx:max-pixels '-124' is not a number of pixels"));
}

/* ------------------------------------------------------------------ */
/* geotrace and geoshape                                               */

/* A field's edge walked (geoshape) and a path (geotrace), as ODK writes
 * them, with area() and distance() in calculations.  Expected figures
 * computed separately with JavaRosa's formulas (GeoUtils: R = 6,378,100 m;
 * area by triangles on the plane around the first point, distance by
 * haversine). */
static const char geo_form[] =
  HEAD "<h:head><model><instance><data id='geo'>"
  "<path/><field/><length/><hectares/><plots><plot><corner/></plot><plot><corner/></plot><plot><corner/></plot></plots>"
  "<by_points/><meta><instanceID/></meta></data></instance>"
  "<bind nodeset='/data/path' type='geotrace'/>"
  "<bind nodeset='/data/field' type='geoshape'/>"
  "<bind nodeset='/data/length' type='decimal' calculate='round(distance(/data/path), 1)'/>"
  "<bind nodeset='/data/hectares' type='decimal' calculate='round(area(/data/field) div 10000, 4)'/>"
  "<bind nodeset='/data/plots/plot/corner' type='geopoint'/>"
  "<bind nodeset='/data/by_points' type='decimal' calculate='round(distance(/data/plots/plot/corner), 1)'/>"
  "</model></h:head><h:body>"
  "<input ref='/data/path'><label>Path</label></input>"
  "<input ref='/data/field'><label>Field</label></input>"
  "<group ref='/data/plots'><repeat nodeset='/data/plots/plot'><input ref='/data/plots/plot/corner'/></repeat></group>"
  "</h:body></h:html>";

static void
test_geotrace_geoshape (void)
{
  g_autoptr(ClmrsForm) form = load (geo_form);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) prompts = clmrs_form_session_get_prompts (session);

  g_assert_cmpint (find_prompt (prompts, "/data/path")->type, ==, CLMRS_TYPE_GEOTRACE);
  g_assert_cmpint (find_prompt (prompts, "/data/field")->type, ==, CLMRS_TYPE_GEOSHAPE);
  /* a trace: 2 points or more, not ending where it began; kept as ODK writes it */
  refuse (session, "/data/path", "5.3364 -4.0267", "is not a valid geotrace");
  refuse (session, "/data/path", "5.3364 -4.0267;5.3364 -4.0267", "is not a valid geotrace");
  refuse (session, "/data/path", "5.3364 -4.0267;95 1", "is not a valid geotrace");
  set (session, "/data/path", " 5.3364  -4.0267 10 5 ; 5.3371 -4.0262;5.3380 -4.0262 ");
  assert_answer (session, "/data/path", "5.3364 -4.0267 10 5;5.3371 -4.0262;5.3380 -4.0262");
  assert_answer (session, "/data/length", "195.8");
  /* a shape: 3 points or more, closed */
  refuse (session, "/data/field", "0 0;0 0.01;0.01 0.01", "is not a valid geoshape");
  refuse (session, "/data/field", "0 0;0 0.01", "is not a valid geoshape");
  set (session, "/data/field", "0 0;0 0.01;0.01 0.01;0.01 0;0 0");
  assert_answer (session, "/data/hectares", "123.9189");
  /* a node-set of geopoints: the path through them in order */
  set (session, "/data/plots/plot[1]/corner", "0 0 0 0");
  set (session, "/data/plots/plot[2]/corner", "0 1 0 0");
  assert_answer (session, "/data/by_points", "111318.8");
  set (session, "/data/plots/plot[3]/corner", "1 1 0 0");
  assert_answer (session, "/data/by_points", "222637.7");

  /* the C functions */
  g_assert_cmpfloat_with_epsilon (clmrs_geo_distance ("0 0;0 1"), 111318.84502, 1e-4);
  g_assert_cmpfloat_with_epsilon (clmrs_geo_area ("0 0;0 0.01;0.01 0.01;0.01 0;0 0"), 1239188.51625, 1e-3);
  g_assert_cmpfloat (clmrs_geo_area ("0 0;0 1"), ==, 0);
  g_assert_true (isnan (clmrs_geo_distance ("0 0;north 1")));
}

/* randomize() with a seed gives ODK's order: expected values from ODK Web
 * Forms' seeded shuffle (@getodk/xforms-engine 0.22, JavaRosa-compatible). */
static void
test_randomize_seed (void)
{
  static const struct { const char *seed; const char *order; } cases[] = {
    { "1", "g f e a c h b d" },
    { "42", "a f c b h e g d" },
    { "12345", "f b c a h g e d" },
    { "-7", "a f c e h d b g" },
    { "42.9", "a f c b h e g d" },   /* truncated as Java's long conversion does */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) text = g_string_new (HEAD "<h:head><model><instance><data id='r'><seed/><pick/>"
                                              "<meta><instanceID/></meta></data></instance><instance id='l'><root>");
      g_autoptr(ClmrsForm) form = NULL;
      g_autoptr(ClmrsFormSession) session = NULL;
      g_autofree char *choices = NULL;

      for (char c = 'a'; c <= 'h'; c++)
        g_string_append_printf (text, "<item><name>%c</name><label>%c</label></item>", c, c);
      g_string_append (text, "</root></instance><bind nodeset='/data/seed' type='decimal'/>"
                             "<bind nodeset='/data/pick' type='string'/></model></h:head><h:body>"
                             "<input ref='/data/seed'/><select1 ref='/data/pick'>"
                             "<itemset nodeset=\"randomize(instance('l')/root/item, /data/seed)\">"
                             "<value ref='name'/><label ref='label'/></itemset></select1></h:body></h:html>");
      form = load (text->str);
      session = clmrs_form_session_new (form, NULL);
      set (session, "/data/seed", cases[i].seed);
      choices = choice_values (session, "/data/pick");
      g_assert_cmpstr (choices, ==, cases[i].order);
    }
}

/* jr://instance/last-saved: the last saved submission, else the blank form. */
static const char last_saved_form[] =
  HEAD "<h:head><model><instance><data id='ls'><village/><visits/><meta><instanceID/></meta></data></instance>"
  "<instance id='__last-saved' src='jr://instance/last-saved'/>"
  "<bind nodeset='/data/village' type='string'/>"
  "<bind nodeset='/data/visits' type='int'/>"
  "<setvalue event='odk-instance-first-load' ref='/data/village' value=\"instance('__last-saved')/data/village\"/>"
  "<setvalue event='odk-instance-first-load' ref='/data/visits' "
  "value=\"coalesce(instance('__last-saved')/data/visits, 0) + 1\"/>"
  "</model></h:head><h:body><input ref='/data/village'/></h:body></h:html>";

static void
test_last_saved (void)
{
  g_autoptr(ClmrsForm) form = load (last_saved_form);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsFormSession) blank = clmrs_form_session_new (form, NULL);
  g_autoptr(ClmrsFormSession) next = NULL;
  g_autoptr(ClmrsFormSession) wrong = NULL;
  g_autofree char *xml = NULL;

  assert_answer (blank, "/data/village", NULL);
  assert_answer (blank, "/data/visits", "1");
  set (blank, "/data/village", "Kragui");
  xml = clmrs_form_session_to_xml (blank);

  next = clmrs_form_session_new_full (form, xml, &error);
  g_assert_no_error (error);
  assert_answer (next, "/data/village", "Kragui");
  assert_answer (next, "/data/visits", "2");

  wrong = clmrs_form_session_new_full (form, "<other><village>X</village></other>", &error);
  g_assert_null (wrong);
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "the last saved submission is not a filling of ls (its root must be <data>)");
}

/* ------------------------------------------------------------------ */
/* External instances                                                   */

/* As XLSForm writes select_one_from_file and pulldata(). */
static const char external_form[] =
  HEAD "<h:head><model><instance><data id='ext'><coop/><farmer/><phone/><village/><visited/><phone2/>"
  "<meta><instanceID/></meta></data></instance>"
  "<instance id='farmers' src='jr://file-csv/farmers.csv'/>"
  "<instance id='villages' src='jr://file/villages.xml'/>"
  "<bind nodeset='/data/coop' type='string'/>"
  "<bind nodeset='/data/farmer' type='string'/>"
  "<bind nodeset='/data/phone' type='string' calculate=\"pulldata('farmers', 'phone', 'name', /data/farmer)\"/>"
  "<bind nodeset='/data/village' type='string'/>"
  "<bind nodeset='/data/visited' type='string'/>"
  "<bind nodeset='/data/phone2' type='string' calculate=\"instance('farmers')/root/item[name= /data/farmer ]/phone\"/>"
  "</model></h:head><h:body>"
  "<input ref='/data/coop'/>"
  "<select1 ref='/data/farmer'><itemset nodeset=\"instance('farmers')/root/item[coop = /data/coop]\">"
  " <value ref='name'/><label ref='label'/></itemset></select1>"
  "<select1 ref='/data/village'><itemset nodeset=\"instance('villages')/root/item\">"
  " <value ref='name'/><label ref='label'/></itemset></select1>"
  "<select ref='/data/visited'><itemset nodeset=\"instance('villages')/root/item\">"
  " <value ref='name'/><label ref='label'/></itemset></select>"
  "</h:body></h:html>";

static char *
media_dir_with (const char *csv,
                const char *xml)
{
  char *dir = g_dir_make_tmp ("clmrs-media-XXXXXX", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "farmers.csv", NULL);
  g_autofree char *xml_path = g_build_filename (dir, "villages.xml", NULL);

  g_assert_nonnull (dir);
  if (csv != NULL)
    g_assert_true (g_file_set_contents (csv_path, csv, -1, NULL));
  if (xml != NULL)
    g_assert_true (g_file_set_contents (xml_path, xml, -1, NULL));
  return dir;
}

static void
remove_media_dir (const char *dir)
{
  g_autofree char *csv_path = g_build_filename (dir, "farmers.csv", NULL);
  g_autofree char *xml_path = g_build_filename (dir, "villages.xml", NULL);

  g_remove (csv_path);
  g_remove (xml_path);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static const char farmers_csv[] =
  "\xef\xbb\xbfname,label,coop,phone\r\n"
  "f1,\"Koné, Awa\",c1,0701\r\n"
  "f2,\"Kofi \"\"Junior\"\" Boateng\",c2,0702\r\n"
  "\r\n"
  "f3,Yaw,c1,\r\n";

static const char villages_xml[] =
  "<?xml version='1.0'?><root xmlns='http://example.org/x'>"
  "<item><name>v1</name><label>Kragui</label></item><item><name>v2</name><label>Daloa</label></item></root>";

static void
test_external_instances (void)
{
  g_autofree char *dir = media_dir_with (farmers_csv, villages_xml);
  g_autoptr(ClmrsForm) form = load_with_media (external_form, dir);
  g_autoptr(ClmrsFormSession) session = clmrs_form_session_new (form, NULL);
  g_autoptr(GPtrArray) prompts = NULL;
  ClmrsPrompt *farmer;
  g_autofree char *villages = NULL;

  set (session, "/data/coop", "c2");
  prompts = clmrs_form_session_get_prompts (session);
  farmer = find_prompt (prompts, "/data/farmer");
  g_assert_cmpuint (farmer->choices->len, ==, 1);
  g_assert_cmpstr (((ClmrsChoice *) farmer->choices->pdata[0])->label, ==, "Kofi \"Junior\" Boateng");
  g_clear_pointer (&prompts, g_ptr_array_unref);

  set (session, "/data/coop", "c1");
  prompts = clmrs_form_session_get_prompts (session);
  farmer = find_prompt (prompts, "/data/farmer");
  g_assert_cmpuint (farmer->choices->len, ==, 2);
  g_assert_cmpstr (((ClmrsChoice *) farmer->choices->pdata[0])->label, ==, "Koné, Awa");
  g_assert_cmpstr (((ClmrsChoice *) farmer->choices->pdata[1])->value, ==, "f3");

  set (session, "/data/farmer", "f1");
  assert_answer (session, "/data/phone", "0701");
  /* pyxform's own lookup: "/" inside the list's predicate is the filling's root */
  assert_answer (session, "/data/phone2", "0701");
  set (session, "/data/farmer", "f3");
  assert_answer (session, "/data/phone", NULL);

  villages = choice_values (session, "/data/village");
  g_assert_cmpstr (villages, ==, "v1 v2");

  /* select_multiple_from_file */
  set (session, "/data/visited", "v2 v1");
  refuse (session, "/data/visited", "v1 v3", "'v3' is not one of the choices");

  /* the session does not need the files any more */
  remove_media_dir (dir);
  set (session, "/data/village", "v2");
}

static void
test_external_refusals (void)
{
  static const struct { const char *csv; const char *xml; const char *reason; } cases[] = {
    { NULL, villages_xml, "the media file farmers.csv cannot be read: " },
    { farmers_csv, NULL, "the media file villages.xml cannot be read: " },
    { "name,first label,coop\nf1,A,c1\n", villages_xml,
      "the media file farmers.csv: column 2 of the first row, 'first label', is not a name XPath can use" },
    { "name,label,coop\nf1,\"A,c1\n", villages_xml, "the media file farmers.csv: line 2: a quoted cell is not closed" },
    { "", villages_xml, "the media file farmers.csv: the file is empty: its first row names the columns" },
    { farmers_csv, "<root><item></root>", "the media file villages.xml: the XML is not well formed: " },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = media_dir_with (cases[i].csv, cases[i].xml);
      g_autoptr(GPtrArray) problems = problems_of (external_form, dir, FALSE);
      ClmrsFormProblem *problem = problems->pdata[0];

      g_assert_false (problem->warning);
      g_assert_cmpstr (problem->node, ==, strstr (cases[i].reason, "farmers") ? "instance[@id='farmers']"
                                                                              : "instance[@id='villages']");
      if (!g_str_has_prefix (problem->reason, cases[i].reason))
        g_error ("case %" G_GSIZE_FORMAT ": got '%s', expected '%s'", i, problem->reason, cases[i].reason);
      remove_media_dir (dir);
    }
}

/* The engine's API with a resolver of the caller's own (the publishing
 * code keeps each form version's media files in its store). */
static GBytes *
memory_media (const char  *name,
              gpointer     user_data,
              GError     **error)
{
  GHashTable *files = user_data;
  const char *data = g_hash_table_lookup (files, name);

  if (data == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "not published with the form");
      return NULL;
    }
  return g_bytes_new (data, strlen (data));
}

static void
test_media_callback (void)
{
  g_autoptr(GHashTable) files = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(ClmrsForm) form = NULL;
  g_autoptr(ClmrsForm) refused = NULL;

  g_hash_table_insert (files, "farmers.csv", (gpointer) farmers_csv);
  refused = clmrs_form_load_full (external_form, strlen (external_form), "ext.xml", memory_media, files, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, CLMRS_XFORM_ERROR, CLMRS_XFORM_ERROR_INVALID);
  g_assert_true (g_str_has_suffix (error->message, "the media file villages.xml cannot be read: not published with the form"));
  g_clear_error (&error);

  g_hash_table_insert (files, "villages.xml", (gpointer) villages_xml);
  form = clmrs_form_load_full (external_form, strlen (external_form), "ext.xml", memory_media, files, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (form);
}

/* A 10,000-row list filtered by cooperative: timed. */
static void
test_large_list_filter (void)
{
  g_autoptr(GString) csv = g_string_new ("name,label,coop\n");
  g_autofree char *dir = NULL;
  g_autoptr(ClmrsForm) form = NULL;
  g_autoptr(ClmrsFormSession) session = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();
  double load_ms, filter_ms;
  const int rounds = 20;

  for (int i = 0; i < 10000; i++)
    g_string_append_printf (csv, "f%d,Farmer %d,c%d\n", i, i, i % 100);
  dir = media_dir_with (csv->str, villages_xml);
  g_timer_start (timer);
  form = load_with_media (external_form, dir);
  load_ms = g_timer_elapsed (timer, NULL) * 1000;
  session = clmrs_form_session_new (form, NULL);
  g_timer_start (timer);
  for (int r = 0; r < rounds; r++)
    {
      g_autofree char *coop = g_strdup_printf ("c%d", r * 7 % 100);
      g_autoptr(GPtrArray) prompts = NULL;
      ClmrsPrompt *farmer;

      set (session, "/data/coop", coop);
      prompts = clmrs_form_session_get_prompts (session);
      farmer = find_prompt (prompts, "/data/farmer");
      g_assert_cmpuint (farmer->choices->len, ==, 100);
    }
  filter_ms = g_timer_elapsed (timer, NULL) * 1000 / rounds;
  g_test_message ("10,000-row CSV: loaded with the form in %.1f ms; filtered to 100 choices in %.2f ms", load_ms, filter_ms);
  /* a screen must not wait on it: generous for a loaded CI machine */
  g_assert_cmpfloat (filter_ms, <, 250);
  remove_media_dir (dir);
}

/* ------------------------------------------------------------------ */
/* clmrs forms check                                                    */

static void
test_cli_check_media (void)
{
  g_autofree char *dir = media_dir_with (farmers_csv, villages_xml);
  g_autofree char *forms = g_dir_make_tmp ("clmrs-forms-XXXXXX", NULL);
  g_autofree char *ext = g_build_filename (forms, "ext.xml", NULL);
  g_autofree char *nulls = g_build_filename (forms, "nulls.xml", NULL);

  g_assert_true (g_file_set_contents (ext, external_form, -1, NULL));
  g_assert_true (g_file_set_contents (nulls, null_form, -1, NULL));
  {
    const char *args[] = { "forms", "check", "--media", dir, ext, nulls, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *expected = g_strdup_printf ("%s: ok\n%s:5: bind[@nodeset='/data/b']: warning: calculate "
                                                 "\"if(/data/a = 'x', 'yes', null)\": /data/b/null is not in "
                                                 "the primary instance; it reads as empty\n%s: ok\n",
                                                 ext, nulls, nulls);
    g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
    g_assert_cmpstr (out, ==, expected);
  }
  {
    const char *args[] = { "forms", "check", ext, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_assert_cmpint (run_cli (args, &out, &err), ==, 3);
    g_assert_nonnull (strstr (out, "instance[@id='farmers']: the form needs the media file farmers.csv, "
                                   "and none was given with it"));
  }
  {
    const char *args[] = { "forms", "check", "--media", "/nonexistent-media", ext, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_assert_cmpint (run_cli (args, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--media /nonexistent-media is not a directory"));
  }
  g_remove (ext);
  g_remove (nulls);
  g_assert_cmpint (g_rmdir (forms), ==, 0);
  remove_media_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xform-odk/expressions", test_expressions);
  g_test_add_func ("/xform-odk/relative-count", test_relative_count);
  g_test_add_func ("/xform-odk/absent-node-warns", test_absent_node_warns);
  g_test_add_func ("/xform-odk/relative-refs", test_relative_refs);
  g_test_add_func ("/xform-odk/new-instance-settles", test_new_instance_settles);
  g_test_add_func ("/xform-odk/preloads-and-actions", test_preloads_and_actions);
  g_test_add_func ("/xform-odk/range-rank-trigger", test_range_rank_trigger);
  g_test_add_func ("/xform-odk/binary-answers", test_binary_answers);
  g_test_add_func ("/xform-odk/binary-refusals", test_binary_refusals);
  g_test_add_func ("/xform-odk/geotrace-geoshape", test_geotrace_geoshape);
  g_test_add_func ("/xform-odk/randomize-seed", test_randomize_seed);
  g_test_add_func ("/xform-odk/last-saved", test_last_saved);
  g_test_add_func ("/xform-odk/external-instances", test_external_instances);
  g_test_add_func ("/xform-odk/external-refusals", test_external_refusals);
  g_test_add_func ("/xform-odk/media-callback", test_media_callback);
  g_test_add_func ("/xform-odk/large-list-filter", test_large_list_filter);
  g_test_add_func ("/xform-odk/cli-check-media", test_cli_check_media);

  return g_test_run ();
}
