/* demo.h: realistic synthetic CLMRS data, made through the same forms, rules and store. */
#pragma once

#include "store.h"

G_BEGIN_DECLS

typedef void (*ClmrsDemoProgress) (guint    done,
                                   guint    total,
                                   gpointer user_data);

typedef struct {
  guint              households;   /* how many households to visit */
  guint32            seed;         /* the same seed (and until) gives the same data */
  const char        *until;        /* last day of the simulated period, YYYY-MM-DD; NULL = today */
  guint              months;       /* length of the period, default 24 */
  guint              communities;  /* how many communities; 0 = one per 150 households, at least 2 */
  const char        *language;     /* the supervisor's messages and the free-text answers: "fr"
                                      in French, NULL or "en" in English (the app's own language
                                      by default) */
  ClmrsDemoProgress  progress;
  gpointer           progress_data;
} ClmrsDemoOptions;

typedef struct {
  guint communities;
  guint facilitators;
  guint households;
  guint children;
  guint household_visits;
  guint follow_ups;
  guint farm_visits;               /* farm_visit.xml, a share of the identifications */
  guint supports;
  guint awareness_sessions;
  guint reviews;
  guint drafts;
  /* the indicators' figures (docs/cases-and-indicators.md) on the last day */
  guint identified;                /* children_ever_identified: in child labour at least once,
                                      case not closed */
  guint identified_at_farm;        /* children_identified_at_farm_visits: of those, first
                                      identified at a farm visit */
  guint exited;                    /* cases.exited_of_identified */
  guint relapsed;                  /* cases.relapse */
  guint missed;                    /* cases.status.follow_up_missed */
  guint closed;                    /* cases.status.closed */
  guint closures;                  /* closure visits made */
  guint records_queued;
} ClmrsDemoReport;

/* Fills an empty store: communities with profiles, facilitators and a
 * supervisor (PINs printed by `clmrs demo`), households visited with the
 * shipped household form, children classified with their country's rule
 * set, supports recorded, follow-ups every ~6 months until exit, awareness
 * sessions, supervisor reviews, and a few drafts left open.  Everything
 * finalised is in the outbox.  The store is marked as demo data
 * (clmrs_demo_store_is_demo()) before the first record is written.
 * Refuses (%CLMRS_STORE_ERROR_STATE) a store enrolled with a server, or
 * holding any record already, demo or not. */
gboolean clmrs_demo_generate (ClmrsStore             *store,
                              const ClmrsDemoOptions *options,
                              ClmrsDemoReport        *report,
                              GError                **error);

/* Whether clmrs_demo_generate() filled (or began to fill) @store: its
 * meta table says so.  The app shows such a database as a demo. */
gboolean clmrs_demo_store_is_demo (ClmrsStore *store);

char    *clmrs_demo_household_visit (ClmrsStore  *store,
                                     const char  *community_id,
                                     const char  *facilitator_id,
                                     guint32      seed,
                                     guint       *n_children,
                                     GError     **error);

/* The demo's people: facilitator i (0-based) has PIN 100000, 111111, 122222, ... (see
 * README); the supervisor's PIN is CLMRS_DEMO_SUPERVISOR_PIN. */
#define CLMRS_DEMO_SUPERVISOR_PIN "999999"
char    *clmrs_demo_facilitator_pin (guint index);

G_END_DECLS
