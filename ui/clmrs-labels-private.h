/* clmrs-labels-private.h: readable, translated words for the core's codes (statuses, supports, reasons). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "rules.h"
#include "xform.h"

G_BEGIN_DECLS

const char *_clmrs_status_label     (ClmrsStatus  status);
const char *_clmrs_support_label    (const char  *code);
/* "Follow-up visit", "Support given", ... for a visit kind (the store's
 * visits.kind); "Household visit" for household and any unknown kind. */
const char *_clmrs_visit_kind_label (const char  *kind);
/* "Visit", "Household", "Awareness session", ... for a record type as
 * the outbox and the server name it (record.h); @type itself if unknown. */
const char *_clmrs_record_type_label (const char *type);
/* One sentence a facilitator reads for a reason (an object {code, detail,
 * item}); @item_label is the item's label in the form (NULL when unknown). */
char       *_clmrs_reason_text      (JsonObject  *reason,
                                     const char  *item_label);
/* "Rules: Côte d'Ivoire" for the rule set tag of an assessment ("ci@2026.1"
 * or "ci"), or NULL when it names no built-in rule set. */
char       *_clmrs_rules_text       (const char  *rules);
/* The label of choice @value among the choices of @prompts (of
 * ClmrsPrompt), or NULL. */
const char *_clmrs_choice_label     (GPtrArray   *prompts,
                                     const char  *value);
/* An answer as the facilitator chose it, in the session's language:
 * choice labels rather than codes (a multiple choice split on spaces and
 * joined with ", "), other values as they are; NULL when unanswered. */
char       *_clmrs_prompt_value_text (const ClmrsPrompt *prompt);

G_END_DECLS
