/* household-answers.h: the answers the UI tests and the screenshot tool give the shipped household visit. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The answer to the question @leaf (the last step of its ref) for child
 * @child (1 or 2; 0 outside the roster), or NULL to leave it empty: two
 * children, Kouadio, 13, who sprays and carries heavy loads (hazardous
 * child labour), and Ahou, 9, who goes to school and does not work. */
const char *household_answer_for (const char *leaf,
                                  guint       child);

G_END_DECLS
