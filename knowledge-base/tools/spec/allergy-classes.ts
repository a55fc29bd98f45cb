/**
 * Classes that exist for the drug–allergy and duplicate-therapy checks (knowledge-base/allergy-groups.json and
 * knowledge-base/duplicate-therapy.json refer to them by id), stated by RxNorm ingredient NAME; build-kb.ts resolves
 * each name to a verified IN code. The allergy groups themselves reuse the therapeutic classes
 * (therapeutic-classes.ts): penicillins, cephalosporins, carbapenems, sulfonamide-antibiotics, nsaids, ...
 *
 * Membership decisions:
 *  - beta-lactam-r1-aminobenzyl: the aminopenicillins and the aminocephalosporins that carry the same
 *    amino-benzyl (phenylglycyl / p-hydroxyphenylglycyl) R1 side chain. Cefprozil is left out: one review lists it
 *    with amoxicillin (p-hydroxyphenylglycyl), a cohort found no increased risk; a pharmacist should decide.
 *    Loracarbef (a carbacephem) is withdrawn and does not verify.
 *  - opioids-long-acting-any-form: opioids that act for a long time whatever the product (methadone). Extended-release
 *    and transdermal products of other opioids are recognised by their RxNorm product name in the duplicate-therapy
 *    check, because an ingredient-level class cannot tell a 12-hour oxycodone tablet from an immediate-release one.
 *  - nsaids-cox2-selective: the COX-2 selective NSAIDs, which cross-react with aspirin far less often than the
 *    non-selective (COX-1 inhibiting) NSAIDs; the aspirin <-> NSAID cross-sensitivity stays at info for them.
 *    Celecoxib's label also contraindicates it after allergic-type reactions to sulfonamides: the allergy group
 *    `celecoxib-sulfonamide-label` (this class alone) receives that label-driven cross-sensitivity, so that the
 *    other non-antibiotic sulfonamides (thiazides, loop diuretics, sulfonylureas) stay unflagged.
 *  - antiepileptics-aromatic: the aromatic (arene-oxide forming) antiepileptics whose labels warn of
 *    cross-hypersensitivity with one another: carbamazepine, oxcarbazepine and eslicarbazepine (carboxamides),
 *    phenytoin and fosphenytoin, phenobarbital and primidone, and lamotrigine. Non-aromatic ones (levetiracetam,
 *    valproate, gabapentin, topiramate) are out: they are the usual alternatives after such a reaction.
 */
import type { EntrySpec, ClassSpec, CitationSpec } from '../member-spec.js';

const PICARD_2019: CitationSpec = {
  source:
    'Picard M et al. Cross-reactivity to cephalosporins and carbapenems in penicillin-allergic patients: two systematic reviews and meta-analyses. J Allergy Clin Immunol Pract 2019;7(8):2722-2738.e5',
  doi: '10.1016/j.jaip.2019.05.038',
  pmid: '31170539',
  section:
    'Results: cross-reactivity by R1 side-chain similarity (aminocephalosporins sharing an identical side chain with a penicillin)',
};
const ROMANO_2021: CitationSpec = {
  source:
    "Romano A et al. Beta-lactam allergy and cross-reactivity: a clinician's guide to selecting an alternative antibiotic. J Asthma Allergy 2021;14:31-46",
  doi: '10.2147/JAA.S242061',
  section: 'Abstract (aminopenicillins and aminocephalosporins)',
};
const CDC_OPIOIDS_2022: CitationSpec = {
  source:
    'Dowell D et al. CDC Clinical Practice Guideline for Prescribing Opioids for Pain — United States, 2022. MMWR Recomm Rep 2022;71(No. RR-3)',
  url: 'https://www.cdc.gov/mmwr/volumes/71/rr/pdfs/rr7103a1-H.pdf',
  section: 'Recommendation 3 (immediate-release rather than extended-release/long-acting opioids; methadone)',
};

const HIRSCH_2008: CitationSpec = {
  source:
    'Hirsch LJ, Arif H, Nahm EA, Buchsbaum R, Resor SR, Bazil CW. Cross-sensitivity of skin rashes with antiepileptic drug use. Neurology 2008;71(19):1527-34',
  doi: '10.1212/01.wnl.0000334295.50403.4c',
  pmid: '18981374',
  section: 'Results (rash to one aromatic antiepileptic, then to another: 20-58% by pair)',
};

export const classes: ClassSpec[] = [
  {
    id: 'beta-lactam-r1-aminobenzyl',
    name: 'Beta-lactams with an amino-benzyl R1 side chain (aminopenicillins and aminocephalosporins)',
    names: ['amoxicillin', 'ampicillin', 'cefaclor', 'cefadroxil', 'cephalexin'],
    citations: [PICARD_2019, ROMANO_2021],
  },
  {
    id: 'opioids-long-acting-any-form',
    name: 'Opioids that are long-acting in every form (methadone)',
    names: ['methadone'],
    citations: [
      CDC_OPIOIDS_2022,
      {
        source: 'FDA prescribing information, methadone',
        section: 'Boxed warning; 12.3 Pharmacokinetics (long, variable half-life)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=methadone',
      },
    ],
  },
  {
    id: 'nsaids-cox2-selective',
    name: 'COX-2 selective NSAIDs (celecoxib)',
    names: ['celecoxib'],
    citations: [
      {
        source: 'FDA prescribing information, celecoxib',
        section: '12.1 Mechanism of Action (COX-2 selective inhibition)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=celecoxib',
      },
      {
        source:
          'Malskat WSJ et al. Tolerance to alternative cyclooxygenase-2 inhibitors in nonsteroidal anti-inflammatory drug hypersensitive patients. Clin Transl Allergy 2013;3:20',
        doi: '10.1186/2045-7022-3-20',
        section: 'Results (19 of 91 reacted to a first COX-2 inhibitor challenge)',
      },
    ],
  },
  {
    id: 'antiepileptics-aromatic',
    name: 'Aromatic antiepileptics (carbamazepine, oxcarbazepine, eslicarbazepine, phenytoin, phenobarbital, lamotrigine)',
    names: [
      'carbamazepine',
      'oxcarbazepine',
      'eslicarbazepine',
      'phenytoin',
      'fosphenytoin',
      'phenobarbital',
      'primidone',
      'lamotrigine',
    ],
    citations: [
      HIRSCH_2008,
      {
        source: 'FDA prescribing information, carbamazepine (Tegretol)',
        section: 'WARNINGS (hypersensitivity; cross-sensitivity with oxcarbazepine and phenytoin)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=carbamazepine',
      },
      {
        source: 'FDA prescribing information, oxcarbazepine (Trileptal)',
        section:
          '5 WARNINGS AND PRECAUTIONS (hypersensitivity in patients with a past hypersensitivity reaction to carbamazepine)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=oxcarbazepine',
      },
    ],
  },
];
export const entries: EntrySpec[] = [];
