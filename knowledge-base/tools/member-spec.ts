/**
 * Which ingredients sit on each side of each interaction, and the members of each class, stated by NAME with the
 * source they come from. build-kb.ts resolves every name to a verified RxCUI and writes the codes into the JSON.
 * Every deviation from the ONC member lists is an explicit `add` / `drop` with its reason.
 * Maintenance tool only: never imported by the app or the tests.
 */

export interface OncRef {
  list: 'high' | 'low';
  no: number;
  side: 'object' | 'precipitant';
  /** keep only these normalized names from the ONC rows (used when one ONC row is split into several entries) */
  only?: string[];
}
export interface SideSpec {
  onc?: OncRef;
  /** members stated by the entry's own citations (curated entries) */
  names?: string[];
  /** class ids (from a ClassSpec) whose members all belong on this side */
  classes?: string[];
  /** names added beyond the ONC rows, with the reason */
  add?: { name: string; reason: string }[];
  /** ONC member names (normalized_name) deliberately left out, with the reason */
  drop?: { name: string; reason: string }[];
}
export interface EntrySpec {
  id: string;
  a: SideSpec;
  b: SideSpec;
  alternatives?: { replaces: 'a' | 'b'; name: string; note: string }[];
}
/** A citation as the knowledge-base JSON stores it (src/knowledge/source-schema.ts `Citation`). */
export interface CitationSpec {
  source: string;
  doi?: string;
  pmid?: string;
  pmcid?: string;
  setId?: string;
  section?: string;
  url?: string;
}
export interface ClassSpec {
  id: string;
  /** how a card or the catalogue names the class */
  name: string;
  /** RxNorm ingredient names; build-kb.ts resolves each to a verified IN code */
  names: string[];
  citations: CitationSpec[];
}

/** ONC spreadsheet spellings → the RxNorm ingredient name they stand for. */
export const NAME_FIXES: Record<string, { name: string; reason: string }> = {
  'iron sucrose complex': { name: 'iron sucrose', reason: 'RxNorm names the ingredient "iron sucrose"' },
  zoledronate: { name: 'zoledronic acid', reason: 'RxNorm names the ingredient "zoledronic acid"' },
  glibenclamide: { name: 'glyburide', reason: 'glibenclamide is the INN of glyburide (RxNorm IN "glyburide")' },
  dabigatran: { name: 'dabigatran etexilate', reason: 'RxNorm IN is "dabigatran etexilate"' },
  'mefenamic acid': { name: 'mefenamate', reason: '"mefenamic acid" is an RxNorm PIN; its IN is "mefenamate"' },
  'thyroid (usp)': { name: 'thyroid (USP)', reason: 'RxNorm spelling' },
};

const UNVERIFIABLE = 'code not confirmed by RxNorm 2025 nor by two agreeing 2014 sources (non-US drug)';
const NO_CODE = 'no RxNorm code found in any source (non-US or withdrawn drug)';

/** dropped everywhere it occurs on an ONC row (reason recorded once) */
export const GLOBAL_DROPS: Record<string, string> = {
  nsaid: 'spurious "NSAID" row in the revised Table 2, #23 (the original Table 2 has atazanavir in that position)',
  imidapril: UNVERIFIABLE,
  mevastatin: NO_CODE,
  cerivastatin: NO_CODE + '; withdrawn from the US market in 2001',
  bopindolol: UNVERIFIABLE,
  tertatolol: UNVERIFIABLE,
  liotrix: UNVERIFIABLE,
  aceclofenac: UNVERIFIABLE,
  lornoxicam: UNVERIFIABLE,
  nimesulide: UNVERIFIABLE,
  clodronate: NO_CODE,
  neridronate: NO_CODE,
  olpadronate: NO_CODE,
  glibornuride: UNVERIFIABLE,
  gliquidone: UNVERIFIABLE,
  glisoxepide: NO_CODE,
  glyclopyramide: NO_CODE,
  bifonazole: UNVERIFIABLE,
  fenticonazole: UNVERIFIABLE,
  isoconazole: UNVERIFIABLE,
  omoconazole: UNVERIFIABLE,
  brotizolam: UNVERIFIABLE,
  clotiazepam: UNVERIFIABLE,
  cloxazolam: UNVERIFIABLE,
  etizolam: NO_CODE,
  loprazolam: UNVERIFIABLE,
  nadifloxacin: NO_CODE,
  rufloxacin: NO_CODE,
  balofloxacin: NO_CODE,
  pazufloxacin: NO_CODE,
  tosufloxacin: NO_CODE,
  sitafloxacin: NO_CODE,
  prulifloxacin: NO_CODE,
};

const SALICYLATE_DROPS = [
  { name: 'methacholine', reason: 'a cholinergic agonist, not a salicylate (spreadsheet error)' },
  { name: 'niclosamide', reason: 'an anthelmintic (salicylanilide), not a salicylate (spreadsheet error)' },
  {
    name: 'aminosalicylate',
    reason: 'antituberculous p-aminosalicylic acid has no relevant COX inhibition; also ' + UNVERIFIABLE,
  },
  { name: 'morpholine salicylate', reason: 'not marketed in the US; ' + UNVERIFIABLE },
];
const SALICYLATE_ADDS = [
  { name: 'aspirin', reason: 'the salicylate the pair is about (missing from the spreadsheet members)' },
  { name: 'salsalate', reason: 'systemic salicylate (missing from the spreadsheet members)' },
  {
    name: 'magnesium salicylate',
    reason: 'systemic salicylate, also the salicylate of choline magnesium trisalicylate products',
  },
];
const NOT_ANTICOAGULANTS = [
  { name: 'dipyridamole', reason: 'an antiplatelet vasodilator, not an anticoagulant (spreadsheet class error)' },
  { name: 'anagrelide', reason: 'a platelet-count-lowering agent, not an anticoagulant (spreadsheet class error)' },
];
const PARENTERAL_IRON = [
  { name: 'iron-dextran complex', reason: 'parenteral iron: the interaction is with absorption of ORAL iron' },
  { name: 'ferric carboxymaltose', reason: 'parenteral iron: the interaction is with absorption of ORAL iron' },
  {
    name: 'sodium ferric gluconate complex',
    reason: 'parenteral iron: the interaction is with absorption of ORAL iron',
  },
  { name: 'iron sucrose complex', reason: 'parenteral iron: the interaction is with absorption of ORAL iron' },
];
const ORAL_IRON = ['ferrous sulfate', 'ferrous gluconate', 'ferrous fumarate'].map((name) => ({
  name,
  reason: 'oral iron salt listed by the spreadsheet under the same "Iron salts" class (pairs 16 and 19)',
}));

const STRONG_3A4_11 = [
  'ritonavir',
  'nelfinavir',
  'atazanavir',
  'indinavir',
  'saquinavir',
  'darunavir',
  'lopinavir',
  'tipranavir',
  'clarithromycin',
  'telithromycin',
  'ketoconazole',
  'itraconazole',
  'voriconazole',
  'nefazodone',
];
const OTHER_3A4_11 = [
  'amprenavir',
  'fosamprenavir',
  'erythromycin',
  'amiodarone',
  'verapamil',
  'diltiazem',
  'fluconazole',
  'aprepitant',
  'cimetidine',
];

export const ENTRIES: EntrySpec[] = [
  // ---------------- ONC high-priority (Phansalkar 2012, revised Table 2) ----------------
  {
    id: 'onc-hp-03-amphetamines-maoi',
    a: { onc: { list: 'high', no: 3, side: 'object' } },
    b: { onc: { list: 'high', no: 3, side: 'precipitant' } },
  },
  {
    id: 'onc-hp-04-atazanavir-ppi',
    a: { onc: { list: 'high', no: 4, side: 'object' } },
    b: {
      onc: { list: 'high', no: 4, side: 'precipitant' },
      add: [
        {
          name: 'dexlansoprazole',
          reason: 'proton pump inhibitor marketed after the list; the atazanavir label covers the whole class',
        },
      ],
    },
    alternatives: [
      {
        replaces: 'b',
        name: 'famotidine',
        note: 'H2-receptor antagonist: usable with atazanavir only within the dose and timing limits of the atazanavir label (still an interaction to manage)',
      },
    ],
  },
  {
    id: 'onc-hp-06-febuxostat-thiopurines',
    a: { onc: { list: 'high', no: 6, side: 'object' } },
    b: { onc: { list: 'high', no: 6, side: 'precipitant' } },
  },
  {
    id: 'onc-hp-08-ssri-snri-maoi',
    a: { onc: { list: 'high', no: 8, side: 'object' } },
    b: { onc: { list: 'high', no: 8, side: 'precipitant' } },
  },
  {
    id: 'onc-hp-11-irinotecan-strong-cyp3a4-inhibitors',
    a: { onc: { list: 'high', no: 11, side: 'object' } },
    b: { onc: { list: 'high', no: 11, side: 'precipitant', only: STRONG_3A4_11 } },
  },
  {
    id: 'onc-hp-11-irinotecan-other-cyp3a4-inhibitors',
    a: { onc: { list: 'high', no: 11, side: 'object' } },
    b: { onc: { list: 'high', no: 11, side: 'precipitant', only: OTHER_3A4_11 } },
  },
  {
    id: 'onc-hp-16-opioids-maoi-contraindicated',
    a: {
      onc: { list: 'high', no: 16, side: 'object', only: ['meperidine', 'tapentadol', 'tramadol', 'dextromethorphan'] },
    },
    b: { onc: { list: 'high', no: 16, side: 'precipitant' } },
  },
  {
    id: 'onc-hp-16-opioids-maoi-avoid',
    a: { onc: { list: 'high', no: 16, side: 'object', only: ['methadone', 'fentanyl'] } },
    b: { onc: { list: 'high', no: 16, side: 'precipitant' } },
  },
  {
    id: 'onc-hp-20-tca-maoi',
    a: { onc: { list: 'high', no: 20, side: 'object' } },
    b: { onc: { list: 'high', no: 20, side: 'precipitant' } },
  },
  { id: 'onc-hp-21-qt-qt', a: { classes: ['qt-prolonging-known-risk'] }, b: { classes: ['qt-prolonging-known-risk'] } },
  {
    id: 'onc-hp-22-ramelteon-fluvoxamine',
    a: { onc: { list: 'high', no: 22, side: 'object' } },
    b: { onc: { list: 'high', no: 22, side: 'precipitant', only: ['fluvoxamine'] } },
  },
  {
    id: 'onc-hp-22-ramelteon-other-cyp1a2-inhibitors',
    a: { onc: { list: 'high', no: 22, side: 'object' } },
    b: { onc: { list: 'high', no: 22, side: 'precipitant', only: ['amiodarone', 'ticlopidine', 'ciprofloxacin'] } },
  },
  {
    id: 'onc-hp-23-protease-inhibitors-rifampin-st-johns-wort',
    a: {
      onc: { list: 'high', no: 23, side: 'object' },
      add: [
        {
          name: 'atazanavir',
          reason: 'listed in the paper\'s Table 2 for #23; the revised sheet replaced it with the spurious "NSAID"',
        },
      ],
    },
    b: { onc: { list: 'high', no: 23, side: 'precipitant', only: ['rifampin', "st. john's wort"] } },
  },
  {
    id: 'onc-hp-23-protease-inhibitors-other-inducers',
    a: {
      onc: { list: 'high', no: 23, side: 'object' },
      add: [
        {
          name: 'atazanavir',
          reason: 'listed in the paper\'s Table 2 for #23; the revised sheet replaced it with the spurious "NSAID"',
        },
      ],
    },
    b: {
      onc: {
        list: 'high',
        no: 23,
        side: 'precipitant',
        only: ['bosentan', 'rifapentine', 'carbamazepine', 'rifabutin'],
      },
    },
  },
  {
    id: 'onc-hp-25-simvastatin-lovastatin-hiv-protease-inhibitors',
    a: { onc: { list: 'high', no: 25, side: 'object' } },
    b: {
      onc: {
        list: 'high',
        no: 25,
        side: 'precipitant',
        only: [
          'saquinavir',
          'tipranavir',
          'ritonavir',
          'nelfinavir',
          'atazanavir',
          'amprenavir',
          'darunavir',
          'lopinavir',
        ],
      },
      add: [
        {
          name: 'indinavir',
          reason:
            'the spreadsheet put "Indinavir" in the class column of #25 ("CYP3A4 inhibitors / Indinavir") instead of the member list',
        },
        {
          name: 'fosamprenavir',
          reason:
            'amprenavir prodrug, a protease inhibitor listed by ONC in #11 and #23; its US label contraindicates simvastatin and lovastatin',
        },
      ],
    },
  },
  {
    id: 'onc-hp-25-simvastatin-lovastatin-macrolides',
    a: { onc: { list: 'high', no: 25, side: 'object' } },
    b: {
      onc: { list: 'high', no: 25, side: 'precipitant', only: ['clarithromycin', 'erythromycin', 'telithromycin'] },
    },
    alternatives: [
      {
        replaces: 'b',
        name: 'azithromycin',
        note: 'macrolide without meaningful CYP3A4 inhibition; check it covers the infection',
      },
      {
        replaces: 'a',
        name: 'pravastatin',
        note: 'not CYP3A4-dependent; with clarithromycin its label caps pravastatin at 40 mg/day',
      },
      {
        replaces: 'a',
        name: 'rosuvastatin',
        note: 'not CYP3A4-dependent; or pause the statin for the antibiotic course',
      },
    ],
  },
  {
    id: 'onc-hp-25-simvastatin-lovastatin-azoles-nefazodone',
    a: { onc: { list: 'high', no: 25, side: 'object' } },
    b: {
      onc: {
        list: 'high',
        no: 25,
        side: 'precipitant',
        only: ['ketoconazole', 'itraconazole', 'voriconazole', 'nefazodone'],
      },
      add: [
        {
          name: 'posaconazole',
          reason:
            'strong CYP3A4-inhibiting azole marketed in the US after the list; its label contraindicates simvastatin and lovastatin',
        },
      ],
    },
    alternatives: [
      {
        replaces: 'a',
        name: 'pravastatin',
        note: 'not CYP3A4-dependent; or pause the statin for a short antifungal course',
      },
      {
        replaces: 'a',
        name: 'rosuvastatin',
        note: 'not CYP3A4-dependent; or pause the statin for a short antifungal course',
      },
    ],
  },
  {
    id: 'onc-hp-25-simvastatin-lovastatin-dose-limited',
    a: { onc: { list: 'high', no: 25, side: 'object' } },
    b: {
      onc: { list: 'high', no: 25, side: 'precipitant', only: ['amiodarone', 'verapamil', 'diltiazem', 'fluconazole'] },
    },
    alternatives: [
      { replaces: 'a', name: 'pravastatin', note: 'not CYP3A4-dependent, so no dose cap with these drugs' },
      { replaces: 'a', name: 'rosuvastatin', note: 'not CYP3A4-dependent, so no dose cap with these drugs' },
    ],
  },
  {
    id: 'onc-hp-27-ergots-cyp3a4-inhibitors',
    a: { onc: { list: 'high', no: 27, side: 'object' } },
    b: {
      onc: { list: 'high', no: 27, side: 'precipitant' },
      add: [
        {
          name: 'fosamprenavir',
          reason:
            'amprenavir prodrug, a protease inhibitor listed by ONC in #11 and #23; its US label contraindicates ergot derivatives',
        },
        {
          name: 'posaconazole',
          reason: 'strong CYP3A4-inhibiting azole; its US label contraindicates ergot alkaloids',
        },
      ],
    },
  },
  {
    id: 'onc-hp-28-tizanidine-ciprofloxacin-fluvoxamine',
    a: { onc: { list: 'high', no: 28, side: 'object' } },
    b: { onc: { list: 'high', no: 28, side: 'precipitant', only: ['ciprofloxacin', 'fluvoxamine'] } },
  },
  {
    id: 'onc-hp-28-tizanidine-other-cyp1a2-inhibitors',
    a: { onc: { list: 'high', no: 28, side: 'object' } },
    b: {
      onc: {
        list: 'high',
        no: 28,
        side: 'precipitant',
        only: ['mexiletine', 'propafenone', 'zileuton', 'amiodarone', 'ticlopidine'],
      },
    },
  },
  {
    id: 'onc-hp-30-tranylcypromine-procarbazine',
    a: { onc: { list: 'high', no: 30, side: 'object' } },
    b: { onc: { list: 'high', no: 30, side: 'precipitant' } },
  },
  {
    id: 'onc-hp-31-triptans-maoi',
    a: { onc: { list: 'high', no: 31, side: 'object' } },
    b: { onc: { list: 'high', no: 31, side: 'precipitant' } },
    alternatives: [
      {
        replaces: 'a',
        name: 'naratriptan',
        note: 'not cleared by MAO-A, so the MAOI contraindication of sumatriptan, rizatriptan and zolmitriptan does not apply; the triptan serotonin-syndrome warning still does',
      },
      {
        replaces: 'a',
        name: 'eletriptan',
        note: 'not cleared by MAO-A (CYP3A4 instead: avoid with strong CYP3A4 inhibitors); the triptan serotonin-syndrome warning still applies',
      },
    ],
  },

  // ---------------- ONC low-priority / non-interruptive (Phansalkar 2013) ----------------
  {
    id: 'onc-lp-01-ace-inhibitors-salicylates',
    a: { onc: { list: 'low', no: 1, side: 'object' } },
    b: { onc: { list: 'low', no: 1, side: 'precipitant' }, drop: SALICYLATE_DROPS, add: SALICYLATE_ADDS },
  },
  {
    id: 'onc-lp-02-niacin-statins',
    a: { add: [{ name: 'niacin', reason: 'the class name is the drug (no member row)' }] },
    b: { onc: { list: 'low', no: 2, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-03-beta-blockers-ssris',
    a: { onc: { list: 'low', no: 3, side: 'object' } },
    b: { onc: { list: 'low', no: 3, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-04-oral-iron-ppis',
    a: { onc: { list: 'low', no: 4, side: 'object' }, drop: PARENTERAL_IRON, add: ORAL_IRON },
    b: { onc: { list: 'low', no: 4, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-05-thiazides-ace-inhibitors',
    a: { onc: { list: 'low', no: 5, side: 'object' } },
    b: { onc: { list: 'low', no: 5, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-06-thyroid-calcium',
    a: { onc: { list: 'low', no: 6, side: 'object' } },
    b: { onc: { list: 'low', no: 6, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-07-thyroid-statins',
    a: { onc: { list: 'low', no: 7, side: 'object' } },
    b: { onc: { list: 'low', no: 7, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-08-thiazides-nsaids',
    a: { onc: { list: 'low', no: 8, side: 'object' } },
    b: { onc: { list: 'low', no: 8, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-09-beta-blockers-thyroid',
    a: { onc: { list: 'low', no: 9, side: 'object' } },
    b: { onc: { list: 'low', no: 9, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-10-mtor-calcineurin-corticosteroids',
    a: { onc: { list: 'low', no: 10, side: 'object' } },
    b: { onc: { list: 'low', no: 10, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-11-antacids-oral-corticosteroids',
    a: { onc: { list: 'low', no: 11, side: 'object' } },
    b: { onc: { list: 'low', no: 11, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-12-bisphosphonates-calcium',
    a: { onc: { list: 'low', no: 12, side: 'object' } },
    b: { onc: { list: 'low', no: 12, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-13-vitamin-b12-omeprazole',
    a: { onc: { list: 'low', no: 13, side: 'object' } },
    b: { onc: { list: 'low', no: 13, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-14-folic-acid-methotrexate',
    a: { onc: { list: 'low', no: 14, side: 'object' } },
    b: { onc: { list: 'low', no: 14, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-15-sulfonylureas-ace-inhibitors',
    a: { onc: { list: 'low', no: 15, side: 'object' } },
    b: { onc: { list: 'low', no: 15, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-16-oral-iron-thyroid',
    a: { onc: { list: 'low', no: 16, side: 'object' }, drop: PARENTERAL_IRON },
    b: { onc: { list: 'low', no: 16, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-17-anticoagulants-corticosteroids',
    a: { onc: { list: 'low', no: 17, side: 'object' }, drop: NOT_ANTICOAGULANTS },
    b: { onc: { list: 'low', no: 17, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-18-anticoagulants-acetaminophen',
    a: { onc: { list: 'low', no: 18, side: 'object' }, drop: NOT_ANTICOAGULANTS },
    b: { add: [{ name: 'acetaminophen', reason: 'the class name is the drug (no member row)' }] },
  },
  {
    id: 'onc-lp-19-antacids-oral-iron',
    a: { onc: { list: 'low', no: 19, side: 'object' } },
    b: { onc: { list: 'low', no: 19, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-20-anticoagulants-ppis',
    a: { onc: { list: 'low', no: 20, side: 'object' }, drop: NOT_ANTICOAGULANTS },
    b: { onc: { list: 'low', no: 20, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-21-ppis-imidazole-antifungals',
    a: { onc: { list: 'low', no: 21, side: 'object' } },
    b: { onc: { list: 'low', no: 21, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-22-beta-blockers-calcium',
    a: { onc: { list: 'low', no: 22, side: 'object' } },
    b: { onc: { list: 'low', no: 22, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-23-ace-inhibitors-arbs',
    a: { onc: { list: 'low', no: 23, side: 'object' } },
    b: { onc: { list: 'low', no: 23, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-24-anticoagulants-statins',
    a: { onc: { list: 'low', no: 24, side: 'object' }, drop: NOT_ANTICOAGULANTS },
    b: { onc: { list: 'low', no: 24, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-25-omeprazole-benzodiazepines',
    a: { add: [{ name: 'omeprazole', reason: 'the class name is the drug (no member row)' }] },
    b: { onc: { list: 'low', no: 25, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-26-anticoagulants-vitamin-e',
    a: { onc: { list: 'low', no: 26, side: 'object' }, drop: NOT_ANTICOAGULANTS },
    b: { add: [{ name: 'vitamin E', reason: 'the class name is the drug (no member row)' }] },
  },
  {
    id: 'onc-lp-27-zinc-quinolones',
    a: { onc: { list: 'low', no: 27, side: 'object' } },
    b: { onc: { list: 'low', no: 27, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-28-nsaids-beta-blockers',
    a: { onc: { list: 'low', no: 28, side: 'object' } },
    b: { onc: { list: 'low', no: 28, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-29-clopidogrel-salicylates',
    a: { add: [{ name: 'clopidogrel', reason: 'the class name is the drug (no member row)' }] },
    b: { onc: { list: 'low', no: 29, side: 'precipitant' }, drop: SALICYLATE_DROPS, add: SALICYLATE_ADDS },
  },
  {
    id: 'onc-lp-30-hormonal-contraceptives-corticosteroids',
    a: {
      onc: { list: 'low', no: 30, side: 'object' },
      drop: [
        {
          name: 'megestrol',
          reason: 'a progestin used for cachexia and cancer, not a contraceptive (spreadsheet class error)',
        },
      ],
    },
    b: { onc: { list: 'low', no: 30, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-31-beta-blockers-dihydropyridines',
    a: { onc: { list: 'low', no: 31, side: 'object' } },
    b: { onc: { list: 'low', no: 31, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-32-corticosteroids-anticholinesterases',
    a: { onc: { list: 'low', no: 32, side: 'object' } },
    b: { onc: { list: 'low', no: 32, side: 'precipitant' } },
  },
  {
    id: 'onc-lp-33-ace-inhibitors-nsaids',
    a: { onc: { list: 'low', no: 33, side: 'object' } },
    b: { onc: { list: 'low', no: 33, side: 'precipitant' } },
  },
];

/** Drugs whose US labelling carries a boxed warning, contraindication or prominent warning for QT prolongation / TdP. */
export const CLASSES: ClassSpec[] = [
  {
    id: 'qt-prolonging-known-risk',
    name: 'Drugs with a known risk of QT prolongation / torsade de pointes (US labelling: boxed warning, contraindication or prominent warning)',
    citations: [
      {
        source:
          'Phansalkar S et al. High-priority drug-drug interactions for use in electronic health records. J Am Med Inform Assoc 2012;19(5):735-43',
        doi: '10.1136/amiajnl-2011-000612',
        pmid: '22539083',
        pmcid: 'PMC3422823',
        section: 'Table 2, candidate #21 (QT prolonging agents; members not enumerated by the paper)',
      },
      {
        source:
          'Drew BJ et al. Prevention of torsade de pointes in hospital settings: AHA/ACCF scientific statement. Circulation 2010;121(8):1047-60',
        doi: '10.1161/CIRCULATIONAHA.109.192704',
        pmid: '20142454',
        pmcid: 'PMC3056123',
      },
      {
        source: 'FDA prescribing information, dofetilide, Boxed warning; Contraindications',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=dofetilide',
      },
      {
        source: 'FDA prescribing information, sotalol, Boxed warning',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=sotalol',
      },
      {
        source: 'FDA prescribing information, dronedarone, Contraindications (QT-prolonging drugs, QTc >= 500 ms)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=dronedarone',
      },
      {
        source: 'FDA prescribing information, ibutilide, Boxed warning',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=ibutilide',
      },
      {
        source: 'FDA prescribing information, quinidine, Warnings (QT prolongation, torsade de pointes)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=quinidine',
      },
      {
        source: 'FDA prescribing information, disopyramide, Warnings (proarrhythmia, QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=disopyramide',
      },
      {
        source: 'FDA prescribing information, procainamide, Warnings (QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=procainamide',
      },
      {
        source: 'FDA prescribing information, amiodarone, Warnings and Precautions (proarrhythmia, QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=amiodarone',
      },
      {
        source:
          'FDA prescribing information, haloperidol, Warnings (QT prolongation and torsade de pointes, notably intravenous use)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=haloperidol',
      },
      {
        source: 'FDA prescribing information, thioridazine, Boxed warning; Contraindications',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=thioridazine',
      },
      {
        source: 'FDA prescribing information, pimozide, Contraindications (QT-prolonging drugs)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=pimozide',
      },
      {
        source: 'FDA prescribing information, ziprasidone, Contraindications (QT-prolonging drugs); Warnings',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=ziprasidone',
      },
      {
        source: 'FDA prescribing information, droperidol, Boxed warning (QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=droperidol',
      },
      {
        source: 'FDA prescribing information, citalopram, Warnings and Precautions (QT prolongation; dose limit)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=citalopram',
      },
      {
        source: 'FDA prescribing information, methadone, Boxed warning (life-threatening QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=methadone',
      },
      {
        source: 'FDA prescribing information, ondansetron, Warnings and Precautions (QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=ondansetron',
      },
      {
        source: 'FDA prescribing information, erythromycin, Warnings (QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=erythromycin',
      },
      {
        source: 'FDA prescribing information, clarithromycin, Warnings and Precautions (QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=clarithromycin',
      },
      {
        source: 'FDA prescribing information, moxifloxacin, Warnings and Precautions (QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=moxifloxacin',
      },
      {
        source: 'FDA prescribing information, levofloxacin, Warnings and Precautions (QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=levofloxacin',
      },
      {
        source: 'FDA prescribing information, arsenic trioxide, Boxed warning (QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=arsenic+trioxide',
      },
      {
        source:
          'FDA prescribing information, vandetanib, Boxed warning (QT prolongation, torsade de pointes, sudden death)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=vandetanib',
      },
      {
        source: 'FDA prescribing information, nilotinib, Boxed warning (QT prolongation and sudden death)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=nilotinib',
      },
      {
        source:
          'FDA prescribing information, hydroxychloroquine, Warnings and Precautions (cardiomyopathy, QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=hydroxychloroquine',
      },
      {
        source: 'FDA prescribing information, chloroquine, Warnings and Precautions (QT prolongation)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=chloroquine',
      },
    ],
    names: [
      'dofetilide',
      'sotalol',
      'dronedarone',
      'ibutilide',
      'quinidine',
      'disopyramide',
      'procainamide',
      'amiodarone',
      'haloperidol',
      'thioridazine',
      'pimozide',
      'ziprasidone',
      'droperidol',
      'citalopram',
      'methadone',
      'ondansetron',
      'erythromycin',
      'clarithromycin',
      'moxifloxacin',
      'levofloxacin',
      'arsenic trioxide',
      'vandetanib',
      'nilotinib',
      'hydroxychloroquine',
      'chloroquine',
    ],
  },
];
