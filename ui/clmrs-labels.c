/* clmrs-labels.c: readable, translated words for the core's codes (statuses, supports, reasons). */
#define G_LOG_DOMAIN "clmrs-labels"

#include "config.h"

#include "clmrs-labels-private.h"
#include "clmrs-i18n.h"

#include <glib/gi18n.h>
#include <string.h>

#include "xform.h"

const char *
_clmrs_status_label (ClmrsStatus status)
{
  switch (status)
    {
    case CLMRS_STATUS_OUT_OF_SCOPE:
      return _("Not 5 to 17 years old");
    case CLMRS_STATUS_WORST_FORM:
      return _("Worst form of child labour: refer now");
    case CLMRS_STATUS_HAZARDOUS_CHILD_LABOUR:
      return _("Hazardous child labour");
    case CLMRS_STATUS_CHILD_LABOUR:
      return _("Child labour");
    case CLMRS_STATUS_AT_RISK:
      return _("At risk");
    case CLMRS_STATUS_NOT_IN_CHILD_LABOUR:
      return _("Not in child labour");
    default:
      return "";
    }
}

const char *
_clmrs_support_label (const char *code)
{
  static const struct { const char *code; const char *label; } labels[] = {
    { "awareness_targeted", N_("Awareness talk with the family") },
    { "school_kit", N_("School kit") },
    { "bicycle", N_("Bicycle to go to school") },
    { "birth_certificate", N_("Birth certificate") },
    { "school_fees", N_("School fees") },
    { "bridging_class", N_("Bridging class") },
    { "vocational_training", N_("Vocational training") },
    { "health_insurance", N_("Health insurance") },
    { "tools_safe", N_("Safe tools and protective equipment") },
    { "labour_support", N_("Help with farm labour") },
    { "iga", N_("Income-generating activity") },
    { "vsla", N_("Village savings group") },
    { "cash_transfer", N_("Cash transfer") },
    { "awareness_community", N_("Community awareness") },
    { "infrastructure", N_("Community infrastructure") },
    { "referral", N_("Referral to child protection") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].code, code))
      return _(labels[i].label);
  return code;
}

const char *
_clmrs_visit_kind_label (const char *kind)
{
  if (g_strcmp0 (kind, "follow_up") == 0)
    return _("Follow-up visit");
  if (g_strcmp0 (kind, "support") == 0)
    return _("Support given");
  if (g_strcmp0 (kind, "awareness") == 0)
    return _("Awareness session");
  if (g_strcmp0 (kind, "community") == 0)
    return _("Community profile");
  if (g_strcmp0 (kind, "farm") == 0)
    return _("Farm visit");
  if (g_strcmp0 (kind, "closure") == 0)
    return _("Case closure");
  return _("Household visit");
}

const char *
_clmrs_record_type_label (const char *type)
{
  static const struct { const char *type; const char *label; } labels[] = {
    { "community", N_("Community profile") },
    { "household", N_("Household") },
    { "child", N_("Child") },
    { "visit", N_("Visit") },
    { "support", N_("Support") },
    { "awareness_session", N_("Awareness session") },
    { "review", N_("Review") },
    { "audit", N_("Activity log") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (type, labels[i].type) == 0)
      return _(labels[i].label);
  return type != NULL ? type : "";
}

/* The reason codes of docs/rules-format.md, as a facilitator says them. */
static const char *
reason_label (const char *code)
{
  static const struct { const char *code; const char *label; } labels[] = {
    { "age_out_of_scope", N_("Not 5 to 17 years old: outside the scope of child labour") },
    { "wfcl_signal", N_("A sign of a worst form of child labour") },
    { "immediate_danger", N_("The child is in immediate danger") },
    { "hazardous_task", N_("A hazardous task, not allowed at this age") },
    { "hazard_condition", N_("Works in hazardous conditions") },
    { "night_work", N_("Works at night") },
    { "abuse", N_("Abuse at work") },
    { "long_hours", N_("Works more hours than allowed at this age") },
    { "below_light_work_age", N_("Works while too young for any work") },
    { "light_work_hours", N_("More hours of light work than allowed at this age") },
    { "light_work_task_not_permitted", N_("A task that is not light work allowed at this age") },
    { "chores_hours", N_("Too many hours of household chores") },
    { "hazardous_task_12m", N_("A hazardous task in the last 12 months: a risk") },
    { "hazardous_task_since_last_visit", N_("A hazardous task since the last visit, so not out of child labour over the period") },
    { "work_injury_12m", N_("Hurt or sick because of work in the last 12 months: a risk") },
    { "out_of_school", N_("Not in school: a risk") },
    { "no_birth_certificate", N_("No birth certificate: a risk") },
    { "permitted_work", N_("Only work allowed at this age") },
    { "not_working", N_("No work in the last 7 days") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].code, code))
      return _(labels[i].label);
  return NULL;
}

/* The worst-form signals (forms ask one yes/no question for each, so no
 * choice names them), as a facilitator says them. */
static const char *
signal_label (const char *code)
{
  static const struct { const char *code; const char *label; } labels[] = {
    { "trafficking", N_("Brought from elsewhere to work (trafficking)") },
    { "forced_labour", N_("Not free to stop working or leave (forced labour)") },
    { "debt_bondage", N_("Works to pay off a debt (debt bondage)") },
    { "sexual_exploitation", N_("Sexual exploitation") },
    { "illicit_activities", N_("Used for illegal activities") },
    { "armed_recruitment", N_("Recruited by an armed group") },
  };

  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].code, code))
      return _(labels[i].label);
  return NULL;
}

char *
_clmrs_reason_text (JsonObject *reason,
                    const char *item_label)
{
  const char *code, *label, *detail;
  g_autofree char *text = NULL;

  g_return_val_if_fail (reason != NULL, NULL);

  code = json_object_get_string_member_with_default (reason, "code", "");
  detail = json_object_get_string_member_with_default (reason, "detail", "");
  if (item_label == NULL && g_str_equal (code, "wfcl_signal"))
    item_label = signal_label (json_object_get_string_member_with_default (reason, "item", NULL));
  label = reason_label (code);
  if (label == NULL)
    {
      /* an unknown code: the core's sentence, without its rule set tag */
      const char *tag = g_strrstr (detail, " (");

      if (tag != NULL && g_str_has_suffix (detail, ")") && strchr (tag + 2, ' ') == NULL)
        text = g_strndup (detail, tag - detail);
      else
        text = g_strdup (detail);
    }
  else if (item_label != NULL && *item_label != '\0')
    /* Translators: "REASON: TASK", e.g. "A hazardous task…: spraying pesticides" */
    text = g_strdup_printf (_("%s: %s"), label, item_label);
  else
    text = g_strdup (label);
  /* the rule set marks the entry it rests on as provisional (docs/rules-format.md) */
  if (json_object_get_boolean_member_with_default (reason, "provisional", FALSE))
    /* Translators: a reason that rests on a rule not yet checked against the legal text */
    return g_strdup_printf (_("%s (provisional: the rule is not yet checked against the law)"), text);
  return g_steal_pointer (&text);
}

char *
_clmrs_rules_text (const char *rules)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  ClmrsRuleSet *set;
  char *text;

  if (rules == NULL || *rules == '\0')
    return NULL;
  id = g_strndup (rules, strcspn (rules, "@"));
  set = clmrs_rule_set_load_builtin (id, &error);
  if (set == NULL)
    return NULL;
  /* Translators: the national rules a child was classified with, e.g. "Rules: Côte d'Ivoire" */
  {
    const char *label = clmrs_rule_set_get_label (set);
    /* the country, not the texts: "Côte d'Ivoire: Labour Code 2015…" */
    g_autofree char *country = g_strndup (label, strcspn (label, ":"));

    text = g_strdup_printf (_("Rules: %s"), country);
  }
  clmrs_rule_set_free (set);
  return text;
}

const char *
_clmrs_choice_label (GPtrArray  *prompts,
                     const char *value)
{
  if (prompts == NULL || value == NULL)
    return NULL;
  for (guint i = 0; i < prompts->len; i++)
    {
      ClmrsPrompt *prompt = g_ptr_array_index (prompts, i);

      for (guint j = 0; prompt->choices != NULL && j < prompt->choices->len; j++)
        {
          ClmrsChoice *choice = g_ptr_array_index (prompt->choices, j);

          if (g_strcmp0 (choice->value, value) == 0)
            return choice->label;
        }
    }
  return NULL;
}

static const char *
prompt_choice_label (const ClmrsPrompt *prompt,
                     const char        *value)
{
  for (guint i = 0; prompt->choices != NULL && i < prompt->choices->len; i++)
    {
      ClmrsChoice *choice = g_ptr_array_index (prompt->choices, i);

      if (g_strcmp0 (choice->value, value) == 0)
        return choice->label ? choice->label : value;
    }
  return value;
}

char *
_clmrs_prompt_value_text (const ClmrsPrompt *prompt)
{
  g_return_val_if_fail (prompt != NULL, NULL);

  if (prompt->value == NULL)
    return NULL;
  /* a media answer's value is a file name nobody needs to read */
  if (prompt->control == CLMRS_CONTROL_UPLOAD)
    return g_strdup (prompt->appearance != NULL && (strstr (prompt->appearance, "signature") != NULL ||
                                                    strstr (prompt->appearance, "draw") != NULL)
                     ? _("Signature kept") : _("Photo kept"));
  /* a day and a decimal in the app's language ("7 déc. 2026", "2,5"),
     as everywhere else: the stored value is ISO 8601 and C */
  if (prompt->type == CLMRS_TYPE_DATE)
    return clmrs_i18n_format_day (prompt->value);
  if (prompt->type == CLMRS_TYPE_DECIMAL && strchr (prompt->value, '.') != NULL &&
      strlen (C_("number", ".")) == 1)
    {
      char *text = g_strdup (prompt->value);

      *strchr (text, '.') = C_("number", ".")[0];
      return text;
    }
  /* a ranking reads as its choices in order, as a multiple choice does */
  if (prompt->choices != NULL && (prompt->control == CLMRS_CONTROL_SELECT || prompt->control == CLMRS_CONTROL_RANK))
    {
      g_auto(GStrv) values = g_strsplit (prompt->value, " ", -1);
      g_autoptr(GPtrArray) labels = g_ptr_array_new ();

      for (guint i = 0; values[i] != NULL; i++)
        if (*values[i] != '\0')
          g_ptr_array_add (labels, (gpointer) prompt_choice_label (prompt, values[i]));
      g_ptr_array_add (labels, NULL);
      /* Translators: between the choices of a multiple-choice answer */
      return g_strjoinv (_(", "), (char **) labels->pdata);
    }
  return g_strdup (prompt_choice_label (prompt, prompt->value));
}
