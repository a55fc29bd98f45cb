/**
 * Curated pharmacodynamic interactions (knowledge-base/interactions/pharmacodynamic.json, ids `pd-…`): additive
 * bleeding, serotonin toxicity and MAO inhibition, additive QT prolongation, hyperkalaemia, renal and ototoxicity,
 * CNS and respiratory depression, hypotension, dysglycaemia, bradycardia and other effect-level interactions. Side a
 * is the object drug, side b the precipitant. Members are RxNorm ingredient names; build-kb.ts resolves them.
 *
 * Membership decisions:
 *  - Entries never repeat a pair that an ONC entry already covers at the same severity: MAOI entries name rasagiline
 *    and safinamide (absent from the ONC MAOI rows) instead of the `maois` class where ONC #8, #16 and #20 already
 *    hold isocarboxazid, phenelzine, procarbazine, selegiline and tranylcypromine; QT entries pair drugs outside the
 *    `qt-prolonging-known-risk` class (ONC #21 covers every pair inside it).
 *  - Drugs whose label splits the severity (e.g. safinamide contraindicates SNRIs and tricyclics but only warns
 *    about SSRIs) are split into separate entries so that each pair sits in exactly one entry.
 *  - Route cannot be expressed: timolol eye drops, topical NSAIDs, inhaled or topical corticosteroids and oral
 *    neomycin match their class; the management text says when only systemic use matters.
 *  - Left out (do not verify): avanafil (PDE5 inhibitor; only FDA UNII 2014 confirms its code).
 *  - Methotrexate with proton pump inhibitors is pk-methotrexate-ppis (pharmacokinetic.json, renal elimination); it
 *    is not repeated here. Entries whose pairs a pk- entry also covers by another mechanism put the drugs on the sides
 *    that match their own label (bupropion-tramadol, barbiturates-opioids, QT drugs-antipsychotics, clozapine).
 *  - Left out although it verifies: St John's wort with SSRIs/SNRIs. The ingredient resolves, but no product in
 *    products.json carries it (RxNorm has no prescribable clinical drug for the herb), so no request built from
 *    product codes could trigger the entry.
 */
import type { EntrySpec, ClassSpec } from '../member-spec.js';

export const classes: ClassSpec[] = [];

const CLASSIC_SSRIS = ['citalopram', 'escitalopram', 'fluoxetine', 'fluvoxamine', 'paroxetine', 'sertraline'];
const OLDER_SNRIS = ['desvenlafaxine', 'duloxetine', 'milnacipran', 'venlafaxine'];
/** every member of the `ssris` and `snris` classes, named so that per-ingredient washouts can key on them */
const ALL_SSRIS_SNRIS = [...CLASSIC_SSRIS, 'vilazodone', 'vortioxetine', ...OLDER_SNRIS, 'levomilnacipran'];
const PDE5_INHIBITORS = ['sildenafil', 'tadalafil', 'vardenafil'];
const CLASS_IA_III = ['amiodarone', 'disopyramide', 'dofetilide', 'ibutilide', 'procainamide', 'quinidine', 'sotalol'];
const SEROTONERGIC_OPIOIDS = ['meperidine', 'methadone', 'tramadol', 'tapentadol', 'fentanyl'];
/** QT-prolonging drugs that ziprasidone's and pimozide's labels contraindicate and that are outside the ONC #21 class */
// gatifloxacin is left out: in the US it survives only as eye drops, which do not reach QT-relevant levels.
const ZIPRASIDONE_PIMOZIDE_QT = ['chlorpromazine', 'mefloquine', 'pentamidine', 'dolasetron', 'tacrolimus'];
/** MAOIs whose labels or the antidepressants' labels contraindicate the combination (rasagiline and safinamide apart). */
const PSYCHIATRIC_MAOIS_AND_SELEGILINE = ['isocarboxazid', 'phenelzine', 'selegiline', 'tranylcypromine'];
const FULL_AGONIST_OPIOIDS = [
  'alfentanil',
  'codeine',
  'dihydrocodeine',
  'fentanyl',
  'hydrocodone',
  'hydromorphone',
  'levorphanol',
  'meperidine',
  'methadone',
  'morphine',
  'oxycodone',
  'oxymorphone',
  'remifentanil',
  'sufentanil',
  'tapentadol',
  'tramadol',
];
const NONSELECTIVE_BETA_BLOCKERS = [
  'carvedilol',
  'labetalol',
  'nadolol',
  'penbutolol',
  'pindolol',
  'propranolol',
  'sotalol',
  'timolol',
];
const CARDIOSELECTIVE_BETA_BLOCKERS = [
  'acebutolol',
  'atenolol',
  'betaxolol',
  'bisoprolol',
  'esmolol',
  'metoprolol',
  'nebivolol',
];
const LITHIUM = ['lithium', 'lithium carbonate', 'lithium citrate'];
/** the `nsaids` class without ketorolac, whose own entry (contraindicated with aspirin) covers that pair */
const NSAIDS_EXCEPT_KETOROLAC = [
  'celecoxib',
  'diclofenac',
  'diflunisal',
  'etodolac',
  'fenoprofen',
  'flurbiprofen',
  'ibuprofen',
  'indomethacin',
  'ketoprofen',
  'meclofenamate',
  'mefenamate',
  'meloxicam',
  'nabumetone',
  'naproxen',
  'oxaprozin',
  'piroxicam',
  'sulindac',
  'tolmetin',
];
const BARBITURATES = ['phenobarbital', 'butalbital', 'primidone'];

export const entries: EntrySpec[] = [
  // ---------------------------------------------------------------- bleeding
  { id: 'pd-warfarin-nsaids', a: { classes: ['vitamin-k-antagonists'] }, b: { classes: ['nsaids'] } },
  { id: 'pd-doac-nsaids', a: { classes: ['direct-oral-anticoagulants'] }, b: { classes: ['nsaids'] } },
  { id: 'pd-warfarin-salicylates', a: { classes: ['vitamin-k-antagonists'] }, b: { classes: ['salicylates'] } },
  { id: 'pd-doac-salicylates', a: { classes: ['direct-oral-anticoagulants'] }, b: { classes: ['salicylates'] } },
  {
    id: 'pd-warfarin-p2y12-inhibitors',
    a: { classes: ['vitamin-k-antagonists'] },
    b: { classes: ['p2y12-inhibitors'] },
  },
  {
    id: 'pd-doac-p2y12-inhibitors',
    a: { classes: ['direct-oral-anticoagulants'] },
    b: { classes: ['p2y12-inhibitors'] },
  },
  {
    id: 'pd-oral-anticoagulants-ssri-snri',
    a: { classes: ['vitamin-k-antagonists', 'direct-oral-anticoagulants'] },
    b: { classes: ['ssris', 'snris'] },
  },
  { id: 'pd-warfarin-doac', a: { classes: ['vitamin-k-antagonists'] }, b: { classes: ['direct-oral-anticoagulants'] } },
  { id: 'pd-doac-heparins', a: { classes: ['direct-oral-anticoagulants'] }, b: { classes: ['heparins'] } },
  { id: 'pd-warfarin-heparins', a: { classes: ['vitamin-k-antagonists'] }, b: { classes: ['heparins'] } },
  { id: 'pd-heparins-nsaids', a: { classes: ['heparins'] }, b: { classes: ['nsaids'] } },
  { id: 'pd-p2y12-inhibitors-nsaids', a: { classes: ['p2y12-inhibitors'] }, b: { classes: ['nsaids'] } },
  {
    id: 'pd-aspirin-nsaids',
    a: { names: ['aspirin'] },
    b: { names: NSAIDS_EXCEPT_KETOROLAC },
    alternatives: [
      {
        replaces: 'b',
        name: 'acetaminophen',
        note: 'does not block platelet COX-1, so it leaves the antiplatelet effect of aspirin intact',
      },
    ],
  },
  { id: 'pd-nsaids-ssri-snri', a: { classes: ['nsaids', 'salicylates'] }, b: { classes: ['ssris', 'snris'] } },
  {
    id: 'pd-nsaids-systemic-corticosteroids',
    a: { classes: ['nsaids'] },
    b: { classes: ['systemic-corticosteroids'] },
  },
  { id: 'pd-ketorolac-nsaids-salicylates', a: { names: ['ketorolac'] }, b: { classes: ['nsaids', 'salicylates'] } },
  { id: 'pd-ketorolac-pentoxifylline', a: { names: ['ketorolac'] }, b: { names: ['pentoxifylline'] } },
  { id: 'pd-ticagrelor-aspirin', a: { names: ['ticagrelor'] }, b: { names: ['aspirin'] } },

  // ---------------------------------------------------------------- serotonin toxicity, MAO inhibition
  {
    id: 'pd-ssri-snri-linezolid',
    a: { names: ALL_SSRIS_SNRIS },
    b: { names: ['linezolid'] },
    alternatives: [
      {
        replaces: 'b',
        name: 'daptomycin',
        note: 'no MAO inhibition; an option for VRE or MRSA bacteraemia and skin infection (not for pneumonia)',
      },
      { replaces: 'b', name: 'vancomycin', note: 'no MAO inhibition; covers MRSA (not VRE)' },
    ],
  },
  {
    id: 'pd-tca-mirtazapine-trazodone-buspirone-linezolid',
    a: { classes: ['tricyclic-antidepressants'], names: ['mirtazapine', 'trazodone', 'buspirone'] },
    b: { names: ['linezolid'] },
    alternatives: [
      {
        replaces: 'b',
        name: 'daptomycin',
        note: 'no MAO inhibition; an option for VRE or MRSA bacteraemia and skin infection (not for pneumonia)',
      },
    ],
  },
  {
    id: 'pd-serotonergic-opioids-linezolid',
    a: { names: [...SEROTONERGIC_OPIOIDS, 'dextromethorphan'] },
    b: { names: ['linezolid'] },
  },
  {
    id: 'pd-sympathomimetics-linezolid',
    a: {
      names: [
        'pseudoephedrine',
        'phenylephrine',
        'ephedrine',
        'epinephrine',
        'norepinephrine',
        'dopamine',
        'dobutamine',
      ],
    },
    b: { names: ['linezolid'] },
  },
  { id: 'pd-linezolid-maois', a: { names: ['linezolid'] }, b: { classes: ['maois'] } },
  {
    id: 'pd-serotonergic-antidepressants-methylene-blue',
    a: { names: ALL_SSRIS_SNRIS, classes: ['tricyclic-antidepressants'] },
    b: { names: ['methylene blue'] },
  },
  {
    id: 'pd-serotonergic-opioids-methylene-blue',
    a: { names: SEROTONERGIC_OPIOIDS },
    b: { names: ['methylene blue'] },
  },
  {
    id: 'pd-other-antidepressants-maois',
    a: { names: ['vilazodone', 'vortioxetine', 'levomilnacipran', 'mirtazapine', 'trazodone'] },
    b: { names: PSYCHIATRIC_MAOIS_AND_SELEGILINE },
  },
  // The safinamide label contraindicates these three; vilazodone and vortioxetine with safinamide are in the major SSRI entry.
  {
    id: 'pd-other-antidepressants-safinamide',
    a: { names: ['levomilnacipran', 'mirtazapine', 'trazodone'] },
    b: { names: ['safinamide'] },
  },
  {
    id: 'pd-snri-tca-safinamide',
    a: { names: OLDER_SNRIS, classes: ['tricyclic-antidepressants'] },
    b: { names: ['safinamide'] },
  },
  {
    id: 'pd-antidepressants-rasagiline',
    a: {
      names: [
        ...CLASSIC_SSRIS,
        ...OLDER_SNRIS,
        'vilazodone',
        'vortioxetine',
        'levomilnacipran',
        'mirtazapine',
        'trazodone',
        'bupropion',
      ],
      classes: ['tricyclic-antidepressants'],
    },
    b: { names: ['rasagiline'] },
  },
  {
    id: 'pd-ssris-safinamide',
    a: { names: [...CLASSIC_SSRIS, 'vilazodone', 'vortioxetine', 'bupropion'] },
    b: { names: ['safinamide'] },
  },
  {
    id: 'pd-opioids-dextromethorphan-mao-b-inhibitors',
    a: { names: ['meperidine', 'methadone', 'tramadol', 'tapentadol', 'dextromethorphan'] },
    b: { names: ['rasagiline', 'safinamide'] },
  },
  { id: 'pd-cns-stimulants-safinamide', a: { classes: ['cns-stimulants'] }, b: { names: ['safinamide'] } },
  { id: 'pd-cyclobenzaprine-maois', a: { names: ['cyclobenzaprine'] }, b: { classes: ['maois'] } },
  { id: 'pd-bupropion-maois', a: { names: ['bupropion'] }, b: { names: PSYCHIATRIC_MAOIS_AND_SELEGILINE } },
  {
    id: 'pd-bupropion-linezolid-methylene-blue',
    a: { names: ['bupropion'] },
    b: { names: ['linezolid', 'methylene blue'] },
  },
  { id: 'pd-buspirone-maois', a: { names: ['buspirone'] }, b: { classes: ['maois'] } },
  {
    id: 'pd-levodopa-nonselective-maois',
    a: { names: ['levodopa'] },
    b: { names: ['isocarboxazid', 'phenelzine', 'tranylcypromine'] },
  },
  { id: 'pd-vmat2-inhibitors-maois', a: { names: ['tetrabenazine', 'deutetrabenazine'] }, b: { classes: ['maois'] } },
  { id: 'pd-carbamazepine-maois', a: { names: ['carbamazepine'] }, b: { classes: ['maois'] } },
  { id: 'pd-triptans-ssri-snri', a: { classes: ['triptans'] }, b: { classes: ['ssris', 'snris'] } },
  {
    id: 'pd-tramadol-ssri-snri',
    a: { names: ['tramadol'] },
    b: { classes: ['ssris', 'snris'] },
    alternatives: [
      {
        replaces: 'a',
        name: 'morphine',
        note: 'an opioid without serotonin reuptake inhibition or seizure-threshold effect; start low in the elderly',
      },
    ],
  },
  {
    id: 'pd-tramadol-tca',
    a: { names: ['tramadol'] },
    b: { classes: ['tricyclic-antidepressants'] },
    alternatives: [
      {
        replaces: 'a',
        name: 'morphine',
        note: 'an opioid without serotonin reuptake inhibition or seizure-threshold effect; start low in the elderly',
      },
    ],
  },
  {
    id: 'pd-other-serotonergic-opioids-ssri-snri',
    a: { names: ['meperidine', 'methadone', 'fentanyl', 'tapentadol'] },
    b: { classes: ['ssris', 'snris'] },
  },
  { id: 'pd-lithium-ssri-snri', a: { names: LITHIUM }, b: { classes: ['ssris', 'snris'] } },
  { id: 'pd-triptans-ergots', a: { classes: ['triptans'] }, b: { names: ['ergotamine', 'dihydroergotamine'] } },
  // bupropion is the object: its label carries the seizure-threshold warning (the CYP2D6 effect on tramadol is pk-2d6-codeine-tramadol)
  { id: 'pd-bupropion-tramadol', a: { names: ['bupropion'] }, b: { names: ['tramadol'] } },
  // tramadol's label lists triptans among the serotonergic drugs and neuroleptics among those that lower the
  // seizure threshold further
  { id: 'pd-tramadol-triptans', a: { names: ['tramadol'] }, b: { classes: ['triptans'] } },
  {
    id: 'pd-tramadol-antipsychotics',
    a: { names: ['tramadol'] },
    b: { classes: ['antipsychotics-first-generation', 'antipsychotics-second-generation'] },
  },

  // ---------------------------------------------------------------- additive QT prolongation (pairs outside ONC #21)
  {
    id: 'pd-dronedarone-qt-prolonging-drugs',
    a: { names: ['dronedarone'] },
    b: {
      classes: ['tricyclic-antidepressants'],
      names: [
        'chlorpromazine',
        'fluphenazine',
        'perphenazine',
        'trifluoperazine',
        'flecainide',
        'propafenone',
        'azithromycin',
      ],
    },
  },
  { id: 'pd-ziprasidone-qt-prolonging-drugs', a: { names: ['ziprasidone'] }, b: { names: ZIPRASIDONE_PIMOZIDE_QT } },
  {
    id: 'pd-pimozide-qt-prolonging-drugs',
    a: { names: ['pimozide'] },
    b: { names: [...ZIPRASIDONE_PIMOZIDE_QT, 'escitalopram'] },
  },
  {
    id: 'pd-class-ia-iii-antiarrhythmics-fluoroquinolones-azithromycin',
    a: { names: CLASS_IA_III },
    b: { names: ['ciprofloxacin', 'ofloxacin', 'gemifloxacin', 'azithromycin'] },
  },
  // the known-risk drug on side a: the CYP3A4 effect of clarithromycin on quetiapine (antipsychotic on side a) is a pk- entry
  {
    id: 'pd-qt-known-risk-other-antipsychotics',
    a: { classes: ['qt-prolonging-known-risk'] },
    b: { names: ['quetiapine', 'iloperidone', 'paliperidone', 'asenapine'] },
  },
  { id: 'pd-dofetilide-hydrochlorothiazide', a: { names: ['dofetilide'] }, b: { names: ['hydrochlorothiazide'] } },

  // ---------------------------------------------------------------- potassium
  {
    id: 'pd-potassium-sparing-diuretics-raas-blockers',
    a: { classes: ['potassium-sparing-diuretics'] },
    b: { classes: ['ace-inhibitors', 'angiotensin-receptor-blockers'], names: ['aliskiren'] },
  },
  {
    id: 'pd-potassium-supplements-raas-blockers',
    a: { classes: ['potassium-supplements'] },
    b: { classes: ['ace-inhibitors', 'angiotensin-receptor-blockers'], names: ['aliskiren'] },
  },
  {
    id: 'pd-amiloride-triamterene-potassium-supplements',
    a: { names: ['amiloride', 'triamterene'] },
    b: { classes: ['potassium-supplements'] },
  },
  {
    id: 'pd-mineralocorticoid-antagonists-potassium-supplements',
    a: { names: ['spironolactone', 'eplerenone', 'finerenone'] },
    b: { classes: ['potassium-supplements'] },
  },
  {
    id: 'pd-amiloride-triamterene-potassium-sparing',
    a: { names: ['amiloride', 'triamterene'] },
    b: { classes: ['potassium-sparing-diuretics'] },
  },
  {
    id: 'pd-mineralocorticoid-antagonist-duplication',
    a: { names: ['eplerenone', 'finerenone'] },
    b: { names: ['spironolactone', 'eplerenone', 'finerenone'] },
  },
  {
    id: 'pd-raas-blockers-trimethoprim',
    a: { classes: ['ace-inhibitors', 'angiotensin-receptor-blockers'] },
    b: { names: ['trimethoprim'] },
    alternatives: [
      {
        replaces: 'b',
        name: 'nitrofurantoin',
        note: 'for uncomplicated cystitis when eGFR is at least 30 mL/min: no potassium-retaining effect',
      },
    ],
  },
  {
    id: 'pd-potassium-sparing-diuretics-trimethoprim',
    a: { classes: ['potassium-sparing-diuretics'] },
    b: { names: ['trimethoprim'] },
    alternatives: [
      {
        replaces: 'b',
        name: 'nitrofurantoin',
        note: 'for uncomplicated cystitis when eGFR is at least 30 mL/min: no potassium-retaining effect',
      },
    ],
  },
  {
    id: 'pd-drospirenone-potassium-raising-drugs',
    a: { names: ['drospirenone'] },
    b: {
      classes: [
        'ace-inhibitors',
        'angiotensin-receptor-blockers',
        'potassium-sparing-diuretics',
        'potassium-supplements',
      ],
    },
    alternatives: [
      {
        replaces: 'a',
        name: 'levonorgestrel',
        note: 'a contraceptive progestin without antimineralocorticoid (potassium-retaining) activity',
      },
    ],
  },
  {
    id: 'pd-aliskiren-ace-inhibitors-arbs',
    a: { names: ['aliskiren'] },
    b: { classes: ['ace-inhibitors', 'angiotensin-receptor-blockers'] },
  },
  { id: 'pd-sacubitril-ace-inhibitors', a: { names: ['sacubitril'] }, b: { classes: ['ace-inhibitors'] } },
  {
    id: 'pd-calcineurin-inhibitors-potassium-sparing',
    a: { classes: ['calcineurin-inhibitors'] },
    b: { classes: ['potassium-sparing-diuretics'] },
  },

  // ---------------------------------------------------------------- renal function, nephro- and ototoxicity, renal clearance
  { id: 'pd-arbs-nsaids', a: { classes: ['angiotensin-receptor-blockers'] }, b: { classes: ['nsaids'] } },
  { id: 'pd-loop-diuretics-nsaids', a: { classes: ['loop-diuretics'] }, b: { classes: ['nsaids'] } },
  {
    id: 'pd-potassium-sparing-diuretics-nsaids',
    a: { classes: ['potassium-sparing-diuretics'] },
    b: { classes: ['nsaids'] },
  },
  { id: 'pd-calcineurin-inhibitors-nsaids', a: { classes: ['calcineurin-inhibitors'] }, b: { classes: ['nsaids'] } },
  { id: 'pd-aminoglycosides-loop-diuretics', a: { classes: ['aminoglycosides'] }, b: { classes: ['loop-diuretics'] } },
  {
    id: 'pd-aminoglycosides-nephrotoxic-drugs',
    a: { classes: ['aminoglycosides'] },
    b: { names: ['vancomycin', 'polymyxin B', 'colistimethate', 'amphotericin B', 'cisplatin'] },
  },
  {
    id: 'pd-neuromuscular-blockers-aminoglycosides',
    a: { names: ['rocuronium', 'vecuronium', 'pancuronium', 'atracurium', 'cisatracurium', 'succinylcholine'] },
    b: { classes: ['aminoglycosides'] },
  },
  { id: 'pd-methotrexate-nsaids', a: { names: ['methotrexate'] }, b: { classes: ['nsaids', 'salicylates'] } },
  {
    id: 'pd-methotrexate-trimethoprim-sulfamethoxazole',
    a: { names: ['methotrexate'] },
    b: { names: ['trimethoprim', 'sulfamethoxazole'] },
  },
  { id: 'pd-methotrexate-acitretin', a: { names: ['methotrexate'] }, b: { names: ['acitretin'] } },
  {
    id: 'pd-lithium-thiazides',
    a: { names: LITHIUM },
    b: { classes: ['thiazide-diuretics'] },
    alternatives: [{ replaces: 'b', name: 'amlodipine', note: 'for hypertension: does not change lithium clearance' }],
  },
  {
    id: 'pd-lithium-raas-blockers',
    a: { names: LITHIUM },
    b: { classes: ['ace-inhibitors', 'angiotensin-receptor-blockers'] },
    alternatives: [
      {
        replaces: 'b',
        name: 'amlodipine',
        note: 'for hypertension without a compelling RAAS indication: does not change lithium clearance',
      },
    ],
  },
  {
    id: 'pd-lithium-nsaids',
    a: { names: LITHIUM },
    b: { classes: ['nsaids'] },
    alternatives: [
      { replaces: 'b', name: 'acetaminophen', note: 'analgesic that does not reduce renal lithium clearance' },
    ],
  },
  { id: 'pd-lithium-loop-diuretics', a: { names: LITHIUM }, b: { classes: ['loop-diuretics'] } },

  // ---------------------------------------------------------------- CNS and respiratory depression
  { id: 'pd-opioids-benzodiazepines', a: { classes: ['opioids'] }, b: { classes: ['benzodiazepines'] } },
  { id: 'pd-opioids-z-hypnotics', a: { classes: ['opioids'] }, b: { classes: ['z-hypnotics'] } },
  { id: 'pd-opioids-gabapentinoids', a: { classes: ['opioids'] }, b: { classes: ['gabapentinoids'] } },
  {
    id: 'pd-opioids-skeletal-muscle-relaxants',
    a: { classes: ['opioids'] },
    b: { classes: ['skeletal-muscle-relaxants'] },
  },
  {
    id: 'pd-opioids-sedating-antihistamines',
    a: { classes: ['opioids'] },
    b: { classes: ['sedating-antihistamines'] },
  },
  // barbiturates on side a: the enzyme-induction effect on opioids (opioid on side a) is pk-inducers-opioids
  { id: 'pd-barbiturates-opioids', a: { names: BARBITURATES }, b: { classes: ['opioids'] } },
  {
    id: 'pd-oxybate-sedative-hypnotics',
    a: { names: ['oxybate'] },
    b: { classes: ['benzodiazepines', 'z-hypnotics'], names: BARBITURATES },
  },
  { id: 'pd-oxybate-opioids', a: { names: ['oxybate'] }, b: { classes: ['opioids'] } },
  { id: 'pd-clozapine-benzodiazepines', a: { names: ['clozapine'] }, b: { classes: ['benzodiazepines'] } },
  {
    id: 'pd-opioid-agonists-mixed-agonist-antagonists',
    a: { names: FULL_AGONIST_OPIOIDS },
    b: { names: ['butorphanol', 'nalbuphine', 'pentazocine'] },
  },
  { id: 'pd-opioids-opioid-antagonists', a: { classes: ['opioids'] }, b: { names: ['naltrexone', 'samidorphan'] } },

  // ---------------------------------------------------------------- hypotension: nitrates, PDE5 inhibitors, sGC stimulators
  { id: 'pd-nitrates-pde5-inhibitors', a: { classes: ['nitrates'] }, b: { names: PDE5_INHIBITORS } },
  { id: 'pd-riociguat-pde5-inhibitors', a: { names: ['riociguat'] }, b: { names: PDE5_INHIBITORS } },
  { id: 'pd-riociguat-nitrates', a: { names: ['riociguat'] }, b: { classes: ['nitrates'] } },
  { id: 'pd-vericiguat-pde5-inhibitors', a: { names: ['vericiguat'] }, b: { classes: ['pde5-inhibitors'] } },
  { id: 'pd-vericiguat-riociguat', a: { names: ['vericiguat'] }, b: { names: ['riociguat'] } },
  {
    id: 'pd-pde5-inhibitors-alpha1-blockers',
    a: { classes: ['pde5-inhibitors'] },
    b: { classes: ['alpha1-blockers'] },
  },

  // ---------------------------------------------------------------- glycaemia, tendons
  { id: 'pd-sulfonylureas-fluoroquinolones', a: { classes: ['sulfonylureas'] }, b: { classes: ['fluoroquinolones'] } },
  { id: 'pd-insulins-fluoroquinolones', a: { classes: ['insulins'] }, b: { classes: ['fluoroquinolones'] } },
  {
    id: 'pd-insulin-sulfonylureas-nonselective-beta-blockers',
    a: { classes: ['insulins', 'sulfonylureas'] },
    b: { names: NONSELECTIVE_BETA_BLOCKERS },
  },
  {
    id: 'pd-insulin-sulfonylureas-cardioselective-beta-blockers',
    a: { classes: ['insulins', 'sulfonylureas'] },
    b: { names: CARDIOSELECTIVE_BETA_BLOCKERS },
  },
  { id: 'pd-thiazolidinediones-insulins', a: { classes: ['thiazolidinediones'] }, b: { classes: ['insulins'] } },
  {
    id: 'pd-fluoroquinolones-systemic-corticosteroids',
    a: { classes: ['fluoroquinolones'] },
    b: { classes: ['systemic-corticosteroids'] },
  },

  // ---------------------------------------------------------------- heart rate, conduction, blood pressure
  {
    id: 'pd-beta-blockers-non-dhp-calcium-channel-blockers',
    a: { classes: ['beta-blockers'] },
    b: { classes: ['non-dihydropyridine-calcium-channel-blockers'] },
  },
  { id: 'pd-digoxin-beta-blockers', a: { names: ['digoxin'] }, b: { classes: ['beta-blockers'] } },
  { id: 'pd-amiodarone-sofosbuvir', a: { names: ['amiodarone'] }, b: { names: ['sofosbuvir'] } },
  { id: 'pd-clonidine-beta-blockers', a: { names: ['clonidine'] }, b: { classes: ['beta-blockers'] } },
  { id: 'pd-fingolimod-class-ia-iii-antiarrhythmics', a: { names: ['fingolimod'] }, b: { names: CLASS_IA_III } },
  {
    id: 'pd-s1p-modulators-heart-rate-lowering-drugs',
    a: { names: ['fingolimod', 'siponimod', 'ozanimod', 'ponesimod'] },
    b: {
      names: [
        ...NONSELECTIVE_BETA_BLOCKERS.filter((n) => n !== 'sotalol'),
        ...CARDIOSELECTIVE_BETA_BLOCKERS,
        'diltiazem',
        'verapamil',
        'digoxin',
        'ivabradine',
      ],
    },
  },
  {
    id: 'pd-tizanidine-alpha2-agonists',
    a: { names: ['tizanidine'] },
    b: { names: ['clonidine', 'guanfacine', 'dexmedetomidine', 'methyldopa', 'lofexidine'] },
  },
  {
    id: 'pd-apomorphine-5ht3-antagonists',
    a: { names: ['apomorphine'] },
    b: { names: ['ondansetron', 'granisetron', 'dolasetron', 'palonosetron', 'alosetron'] },
    alternatives: [
      {
        replaces: 'b',
        name: 'trimethobenzamide',
        note: 'antiemetic the apomorphine label allows: not a 5-HT3 antagonist',
      },
    ],
  },

  // ---------------------------------------------------------------- other effect-level interactions
  // Pimavanserin (5-HT2A, no D2 blockade) is left out of the antipsychotic classes here.
  {
    id: 'pd-metoclopramide-antipsychotics',
    a: { names: ['metoclopramide'] },
    b: {
      classes: ['antipsychotics-first-generation'],
      names: [
        'aripiprazole',
        'asenapine',
        'brexpiprazole',
        'cariprazine',
        'clozapine',
        'iloperidone',
        'lumateperone',
        'lurasidone',
        'olanzapine',
        'paliperidone',
        'quetiapine',
        'risperidone',
        'ziprasidone',
      ],
    },
  },
  {
    id: 'pd-cholinesterase-inhibitors-antimuscarinics',
    a: { names: ['donepezil', 'galantamine', 'rivastigmine'] },
    b: { classes: ['antimuscarinics-urinary'] },
    alternatives: [
      {
        replaces: 'b',
        name: 'mirabegron',
        note: 'beta-3 agonist for overactive bladder with no antimuscarinic effect',
      },
    ],
  },
  { id: 'pd-disulfiram-metronidazole', a: { names: ['disulfiram'] }, b: { names: ['metronidazole'] } },
  { id: 'pd-isotretinoin-tetracyclines', a: { names: ['isotretinoin'] }, b: { classes: ['tetracyclines'] } },
  { id: 'pd-acitretin-tetracyclines', a: { names: ['acitretin'] }, b: { classes: ['tetracyclines'] } },
  // additive neutropenia is symmetric; clozapine on side b because pk-inducers-clozapine holds the induction effect
  {
    id: 'pd-myelosuppressive-drugs-clozapine',
    a: { names: ['carbamazepine', 'deferiprone'] },
    b: { names: ['clozapine'] },
  },
  {
    id: 'pd-jak-inhibitors-potent-immunosuppressants',
    a: { names: ['tofacitinib', 'baricitinib', 'upadacitinib'] },
    b: { names: ['azathioprine', 'cyclosporine', 'tacrolimus'] },
  },
];
