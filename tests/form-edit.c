/* form-edit.c: a changed copy of a shipped form, as an M&E team publishes one (tests only). */
#include "form-edit.h"

#include <string.h>

char *
test_replace_once (const char *text,
                   const char *from,
                   const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

char *
test_household_form_with_question (const char *version)
{
  g_autofree char *path = g_build_filename (g_getenv ("CLMRS_SOURCE_DIR"), "assets", "forms",
                                            "household_visit.xml", NULL);
  g_autofree char *shipped = NULL;
  g_autofree char *root = g_strdup_printf ("<household_visit id=\"household_visit\" version=\"%s\">", version);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &shipped, NULL, &error));
  g_assert_no_error (error);
  a = test_replace_once (shipped, "<household_visit id=\"household_visit\" version=\"2\">", root);
  b = test_replace_once (a, "<farmer_status/>", "<farmer_status/><water_source/>");
  c = test_replace_once (b, "<bind nodeset=\"/household_visit/household/farmer_status\"",
                         "<bind nodeset=\"" TEST_WATER_SOURCE_REF "\" type=\"string\""
                         " relevant=\"../consent = 'yes'\" required=\"true()\"/>\n"
                         "      <bind nodeset=\"/household_visit/household/farmer_status\"");
  return test_replace_once (c, "<input ref=\"/household_visit/household/gps\">",
                            "<input ref=\"" TEST_WATER_SOURCE_REF "\">"
                            "<label>Main source of drinking water</label></input>\n"
                            "      <input ref=\"/household_visit/household/gps\">");
}
