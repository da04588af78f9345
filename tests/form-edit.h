/* form-edit.h: a changed copy of a shipped form, as an M&E team publishes one (tests only). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TEST_WATER_SOURCE_REF "/household_visit/household/water_source"

/* The shipped household form ($CLMRS_SOURCE_DIR/assets/forms/) at
 * @version with one new required question after the farmer's status,
 * "Main source of drinking water" (household/water_source, asked when
 * the household consents): docs/authoring-forms.md's example. */
char *test_household_form_with_question (const char *version);

/* @text with its first @from replaced by @to (asserting it is there). */
char *test_replace_once                 (const char *text,
                                         const char *from,
                                         const char *to);

G_END_DECLS
