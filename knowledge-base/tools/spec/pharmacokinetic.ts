/**
 * Curated pharmacokinetic interactions (knowledge-base/interactions/pharmacokinetic.json), stated by RxNorm
 * ingredient NAME; build-kb.ts resolves the names to verified codes. Side a = object drug, side b = precipitant.
 * Prose, severities, washouts and citations live in the JSON; this module holds only who is on each side.
 * Maintenance tool only: never imported by the app or the tests.
 *
 * Classes defined here (only for these interactions), following the FDA table of CYP inhibitors and inducers:
 *  - pk-strong-cyp3a4-inhibitors: clarithromycin, cobicistat, idelalisib, itraconazole, ketoconazole, nefazodone,
 *    nelfinavir, posaconazole, ritonavir, tipranavir (given with ritonavir), tucatinib, voriconazole. Left out:
 *    indinavir, saquinavir and telithromycin (no longer marketed in the US, absent from the RxNorm 2025 extract),
 *    adagrasib (does not verify), ceritinib, ribociclib and lonafarnib (classification not confirmed). Lopinavir,
 *    darunavir and atazanavir are always boosted: the ritonavir or cobicistat of the regimen is the member. Route
 *    is stated per entry side (`forms` in the JSON): topical ketoconazole products count only where a side says `any`.
 *  - pk-moderate-cyp3a4-inhibitors: aprepitant, conivaptan, crizotinib, diltiazem, dronedarone, erythromycin,
 *    fluconazole, imatinib, isavuconazonium, verapamil. Cyclosporine, fluvoxamine and ciprofloxacin (moderate in the
 *    FDA table) are left out: their other interactions are entered by name where labels require them, and a class
 *    member would flood unrelated substrates with alerts.
 *  - pk-strong-cyp3a4-inducers: carbamazepine, enzalutamide, fosphenytoin, mitotane, phenobarbital, phenytoin,
 *    primidone (converted to phenobarbital), rifampin, rifapentine, St John's wort. Rifabutin (moderate), oxcarbazepine,
 *    eslicarbazepine, felbamate and efavirenz are added by name where the object's label names them. Apalutamide does
 *    not verify and is left out.
 * Strong CYP2D6 inhibitors are named per entry (bupropion, fluoxetine, paroxetine, quinidine; terbinafine, a moderate
 * inhibitor with a weeks-long tail, where the label or mechanism warrants) so that per-ingredient washouts
 * (fluoxetine 35 days) can be attached. Amiodarone carries a 35-day washout where named (its inhibition outlasts
 * the drug by months; 35 days is the screening window).
 * Pairs already in the ONC files are not repeated: zinc with quinolones, calcium and ferrous salts with thyroid
 * hormones and bisphosphonates, SSRIs with beta-blockers, PPIs with atazanavir, febuxostat with thiopurines, and the
 * simvastatin/lovastatin, ergot, tizanidine, ramelteon, irinotecan and protease-inhibitor/inducer rows.
 * Not entered: melatonin with fluvoxamine (supplement without a US label to cite), avanafil (does not verify).
 */
import type { EntrySpec, ClassSpec } from '../member-spec.js';

export const classes: ClassSpec[] = [
  {
    id: 'pk-strong-cyp3a4-inhibitors',
    name: 'Strong CYP3A4 inhibitors (azoles, clarithromycin, HIV boosters and protease inhibitors, nefazodone, idelalisib, tucatinib)',
    names: [
      'clarithromycin',
      'cobicistat',
      'conivaptan',
      'idelalisib',
      'indinavir',
      'itraconazole',
      'ketoconazole',
      'nefazodone',
      'nelfinavir',
      'posaconazole',
      'ritonavir',
      'saquinavir',
      'tipranavir',
      'tucatinib',
      'voriconazole',
    ],
    citations: [
      {
        source:
          'FDA, For Healthcare Professionals: Examples of Drugs that Interact with CYP Enzymes and Transporter Systems',
        url: 'https://www.fda.gov/drugs/drug-interactions-labeling/healthcare-professionals-fdas-examples-drugs-interact-cyp-enzymes-and-transporter-systems',
        section: 'Table 1, CYP3A strong inhibitors',
      },
      {
        source: 'FDA prescribing information, ritonavir',
        section: 'Drug Interactions (strong CYP3A inhibition)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=ritonavir',
      },
      {
        source: 'FDA prescribing information, cobicistat (Tybost)',
        section: 'Drug Interactions (strong CYP3A inhibition)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=cobicistat',
      },
    ],
  },
  {
    id: 'pk-moderate-cyp3a4-inhibitors',
    name: 'Moderate CYP3A4 inhibitors (diltiazem, verapamil, erythromycin, fluconazole, dronedarone, aprepitant, others)',
    names: [
      'aprepitant',
      'crizotinib',
      'diltiazem',
      'dronedarone',
      'erythromycin',
      'fluconazole',
      'imatinib',
      'isavuconazonium',
      'verapamil',
    ],
    citations: [
      {
        source:
          'FDA, For Healthcare Professionals: Examples of Drugs that Interact with CYP Enzymes and Transporter Systems',
        url: 'https://www.fda.gov/drugs/drug-interactions-labeling/healthcare-professionals-fdas-examples-drugs-interact-cyp-enzymes-and-transporter-systems',
        section: 'Table 1, CYP3A moderate inhibitors',
      },
    ],
  },
  {
    id: 'pk-strong-cyp3a4-inducers',
    name: "Strong CYP3A4 inducers (rifampin, rifapentine, enzyme-inducing antiepileptics, enzalutamide, mitotane, St John's wort)",
    names: [
      'carbamazepine',
      'enzalutamide',
      'fosphenytoin',
      'mitotane',
      'phenobarbital',
      'phenytoin',
      'primidone',
      'rifampin',
      'rifapentine',
      "st. john's wort",
    ],
    citations: [
      {
        source:
          'FDA, For Healthcare Professionals: Examples of Drugs that Interact with CYP Enzymes and Transporter Systems',
        url: 'https://www.fda.gov/drugs/drug-interactions-labeling/healthcare-professionals-fdas-examples-drugs-interact-cyp-enzymes-and-transporter-systems',
        section: 'Table 1, CYP3A strong inducers',
      },
      {
        source: 'FDA prescribing information, rifampin',
        section: 'Drug Interactions (induction of CYP3A4 and P-glycoprotein)',
        url: 'https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=rifampin',
      },
    ],
  },
];

export const entries: EntrySpec[] = [
  { id: 'pk-3a4-strong-colchicine', a: { names: ['colchicine'] }, b: { classes: ['pk-strong-cyp3a4-inhibitors'] } },
  { id: 'pk-3a4-moderate-colchicine', a: { names: ['colchicine'] }, b: { classes: ['pk-moderate-cyp3a4-inhibitors'] } },
  { id: 'pk-pgp-colchicine', a: { names: ['colchicine'] }, b: { names: ['cyclosporine', 'ranolazine'] } },
  {
    id: 'pk-3a4-strong-tacrolimus-cyclosporine',
    a: { names: ['tacrolimus', 'cyclosporine'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
  },
  {
    id: 'pk-3a4-voriconazole-posaconazole-sirolimus',
    a: { names: ['sirolimus'] },
    b: { names: ['voriconazole', 'posaconazole'] },
  },
  {
    id: 'pk-3a4-strong-sirolimus',
    a: { names: ['sirolimus'] },
    b: {
      names: [
        'clarithromycin',
        'cobicistat',
        'idelalisib',
        'itraconazole',
        'ketoconazole',
        'nefazodone',
        'nelfinavir',
        'ritonavir',
        'tipranavir',
        'tucatinib',
      ],
    },
  },
  {
    id: 'pk-3a4-strong-everolimus-temsirolimus',
    a: { names: ['everolimus', 'temsirolimus'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
  },
  { id: 'pk-3a4-strong-voclosporin', a: { names: ['voclosporin'] }, b: { classes: ['pk-strong-cyp3a4-inhibitors'] } },
  {
    id: 'pk-3a4-moderate-immunosuppressants',
    a: { names: ['tacrolimus', 'cyclosporine', 'voclosporin', 'sirolimus', 'everolimus'] },
    b: { classes: ['pk-moderate-cyp3a4-inhibitors'] },
  },
  {
    id: 'pk-3a4-cobicistat-ergots',
    a: { names: ['ergotamine', 'dihydroergotamine', 'methylergonovine', 'ergonovine'] },
    b: { names: ['cobicistat'] },
  },
  { id: 'pk-3a4-strong-pimozide', a: { names: ['pimozide'] }, b: { classes: ['pk-strong-cyp3a4-inhibitors'] } },
  {
    id: 'pk-pimozide-label-contraindications',
    a: { names: ['pimozide'] },
    b: { names: ['citalopram', 'erythromycin', 'fluconazole', 'fluvoxamine', 'sertraline', 'zileuton'] },
  },
  { id: 'pk-fluconazole-qt-substrates', a: { names: ['erythromycin', 'quinidine'] }, b: { names: ['fluconazole'] } },
  { id: 'pk-3a4-strong-lurasidone', a: { names: ['lurasidone'] }, b: { classes: ['pk-strong-cyp3a4-inhibitors'] } },
  { id: 'pk-3a4-moderate-lurasidone', a: { names: ['lurasidone'] }, b: { classes: ['pk-moderate-cyp3a4-inhibitors'] } },
  {
    id: 'pk-3a4-strong-quetiapine',
    a: { names: ['quetiapine'] },
    b: {
      names: [
        'clarithromycin',
        'cobicistat',
        'idelalisib',
        'itraconazole',
        'ketoconazole',
        'nefazodone',
        'nelfinavir',
        'posaconazole',
        'ritonavir',
        'tipranavir',
        'tucatinib',
        'voriconazole',
      ],
    },
  },
  {
    id: 'pk-3a4-strong-aripiprazole-brexpiprazole',
    a: { names: ['aripiprazole', 'brexpiprazole', 'iloperidone'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
  },
  {
    id: 'pk-3a4-pgp-strong-apixaban-rivaroxaban',
    a: { names: ['apixaban', 'rivaroxaban'] },
    b: { names: ['ketoconazole', 'itraconazole', 'posaconazole', 'ritonavir', 'cobicistat'] },
  },
  {
    id: 'pk-3a4-pgp-moderate-rivaroxaban',
    a: { names: ['rivaroxaban'] },
    b: { names: ['erythromycin', 'diltiazem', 'verapamil', 'dronedarone'] },
  },
  { id: 'pk-3a4-strong-ticagrelor', a: { names: ['ticagrelor'] }, b: { classes: ['pk-strong-cyp3a4-inhibitors'] } },
  { id: 'pk-3a4-strong-ivabradine', a: { names: ['ivabradine'] }, b: { classes: ['pk-strong-cyp3a4-inhibitors'] } },
  { id: 'pk-3a4-moderate-ivabradine', a: { names: ['ivabradine'] }, b: { classes: ['pk-moderate-cyp3a4-inhibitors'] } },
  { id: 'pk-3a4-strong-ranolazine', a: { names: ['ranolazine'] }, b: { classes: ['pk-strong-cyp3a4-inhibitors'] } },
  { id: 'pk-3a4-moderate-ranolazine', a: { names: ['ranolazine'] }, b: { classes: ['pk-moderate-cyp3a4-inhibitors'] } },
  {
    id: 'pk-3a4-strong-eplerenone-finerenone',
    a: { names: ['eplerenone', 'finerenone'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
  },
  {
    id: 'pk-3a4-moderate-eplerenone-finerenone',
    a: { names: ['eplerenone', 'finerenone'] },
    b: { classes: ['pk-moderate-cyp3a4-inhibitors'] },
  },
  { id: 'pk-3a4-strong-dronedarone', a: { names: ['dronedarone'] }, b: { classes: ['pk-strong-cyp3a4-inhibitors'] } },
  {
    id: 'pk-3a4-dronedarone-simvastatin-lovastatin',
    a: { names: ['simvastatin', 'lovastatin'] },
    b: { names: ['dronedarone'] },
    alternatives: [
      { replaces: 'a', name: 'rosuvastatin', note: 'not cleared by CYP3A4, so no dronedarone dose cap' },
      { replaces: 'a', name: 'pravastatin', note: 'not cleared by CYP3A4, so no dronedarone dose cap' },
    ],
  },
  {
    id: 'pk-simvastatin-amlodipine-ranolazine',
    a: { names: ['simvastatin'] },
    b: { names: ['amlodipine', 'ranolazine'] },
    alternatives: [
      { replaces: 'a', name: 'rosuvastatin', note: 'not cleared by CYP3A4; no dose cap with amlodipine or ranolazine' },
    ],
  },
  {
    id: 'pk-simvastatin-lovastatin-ticagrelor',
    a: { names: ['simvastatin', 'lovastatin'] },
    b: { names: ['ticagrelor'] },
    alternatives: [
      { replaces: 'a', name: 'rosuvastatin', note: 'not cleared by CYP3A4; no dose limit with ticagrelor' },
    ],
  },
  { id: 'pk-ritonavir-alprazolam', a: { names: ['alprazolam'] }, b: { names: ['ritonavir'] } },
  {
    id: 'pk-3a4-strong-triazolam-alprazolam',
    a: { names: ['triazolam', 'alprazolam'] },
    b: {
      names: [
        'clarithromycin',
        'cobicistat',
        'idelalisib',
        'itraconazole',
        'ketoconazole',
        'nefazodone',
        'nelfinavir',
        'posaconazole',
        'tipranavir',
        'tucatinib',
        'voriconazole',
      ],
    },
    alternatives: [
      { replaces: 'a', name: 'lorazepam', note: 'cleared by glucuronidation, not CYP3A4' },
      { replaces: 'a', name: 'temazepam', note: 'cleared by glucuronidation, not CYP3A4' },
    ],
  },
  {
    id: 'pk-3a4-ritonavir-triazolam',
    a: { names: ['triazolam'] },
    b: { names: ['ritonavir'] },
    alternatives: [
      { replaces: 'a', name: 'lorazepam', note: 'cleared by glucuronidation; usable with ritonavir' },
      { replaces: 'a', name: 'temazepam', note: 'cleared by glucuronidation; usable with ritonavir' },
    ],
  },
  {
    id: 'pk-3a4-oral-midazolam-contraindicated',
    a: { names: ['midazolam'] },
    b: { names: ['cobicistat', 'itraconazole', 'ketoconazole', 'ritonavir'] },
  },
  {
    id: 'pk-3a4-strong-midazolam',
    a: { names: ['midazolam'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
    alternatives: [{ replaces: 'a', name: 'lorazepam', note: 'cleared by glucuronidation, not CYP3A4' }],
  },
  {
    id: 'pk-3a4-strong-orexin-antagonists',
    a: { names: ['suvorexant', 'lemborexant', 'daridorexant'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
  },
  { id: 'pk-3a4-strong-buspirone', a: { names: ['buspirone'] }, b: { classes: ['pk-strong-cyp3a4-inhibitors'] } },
  // Protease inhibitors, azoles and cobicistat with carbamazepine are covered, at a higher severity, by the inducer
  // entries and ONC #23; nefazodone has its own contraindicated entry.
  {
    id: 'pk-3a4-strong-carbamazepine',
    a: { names: ['carbamazepine'] },
    b: { names: ['clarithromycin', 'idelalisib', 'ketoconazole', 'tucatinib'] },
  },
  { id: 'pk-nefazodone-carbamazepine', a: { names: ['nefazodone'] }, b: { names: ['carbamazepine'] } },
  {
    id: 'pk-3a4-strong-alfuzosin-silodosin',
    a: { names: ['alfuzosin', 'silodosin'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
  },
  { id: 'pk-3a4-strong-tamsulosin', a: { names: ['tamsulosin'] }, b: { classes: ['pk-strong-cyp3a4-inhibitors'] } },
  {
    id: 'pk-3a4-strong-pde5-inhibitors',
    a: { classes: ['pde5-inhibitors'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
  },
  {
    id: 'pk-3a4-strong-urinary-antimuscarinics',
    a: { names: ['darifenacin', 'solifenacin', 'tolterodine', 'fesoterodine'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
    alternatives: [{ replaces: 'a', name: 'trospium', note: 'renally cleared quaternary amine, not CYP3A4-dependent' }],
  },
  {
    id: 'pk-3a4-strong-fentanyl',
    a: { names: ['fentanyl', 'alfentanil', 'sufentanil'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
    alternatives: [
      { replaces: 'a', name: 'morphine', note: 'cleared by glucuronidation, not CYP3A4; titrate carefully' },
      { replaces: 'a', name: 'hydromorphone', note: 'cleared by glucuronidation, not CYP3A4; titrate carefully' },
    ],
  },
  {
    id: 'pk-3a4-strong-oxycodone-hydrocodone',
    a: { names: ['oxycodone', 'hydrocodone'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
    alternatives: [
      { replaces: 'a', name: 'morphine', note: 'cleared by glucuronidation, not CYP3A4' },
      { replaces: 'a', name: 'hydromorphone', note: 'cleared by glucuronidation, not CYP3A4' },
    ],
  },
  {
    id: 'pk-3a4-moderate-opioids',
    a: { names: ['fentanyl', 'oxycodone', 'hydrocodone'] },
    b: { classes: ['pk-moderate-cyp3a4-inhibitors'] },
  },
  {
    id: 'pk-3a4-ritonavir-cobicistat-corticosteroids',
    a: { names: ['fluticasone', 'budesonide', 'mometasone'] },
    b: { names: ['ritonavir', 'cobicistat'] },
    alternatives: [
      {
        replaces: 'a',
        name: 'beclomethasone',
        note: 'inhaled corticosteroid least affected by CYP3A4 inhibition; the usual choice with boosted regimens',
      },
    ],
  },
  {
    id: 'pk-3a4-strong-salmeterol',
    a: { names: ['salmeterol'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
    alternatives: [{ replaces: 'a', name: 'formoterol', note: 'long-acting beta-agonist not cleared by CYP3A4' }],
  },
  {
    id: 'pk-3a4-cobicistat-simvastatin-lovastatin',
    a: { names: ['simvastatin', 'lovastatin'] },
    b: { names: ['cobicistat'] },
    alternatives: [{ replaces: 'a', name: 'pravastatin', note: 'not cleared by CYP3A4; start at a low dose' }],
  },
  {
    id: 'pk-3a4-posaconazole-atorvastatin',
    a: { names: ['atorvastatin'] },
    b: { names: ['posaconazole'] },
    alternatives: [
      { replaces: 'a', name: 'rosuvastatin', note: 'not cleared by CYP3A4' },
      { replaces: 'a', name: 'pravastatin', note: 'not cleared by CYP3A4' },
    ],
  },
  {
    id: 'pk-3a4-strong-atorvastatin',
    a: { names: ['atorvastatin'] },
    b: {
      names: [
        'clarithromycin',
        'cobicistat',
        'idelalisib',
        'itraconazole',
        'ketoconazole',
        'nefazodone',
        'nelfinavir',
        'ritonavir',
        'tipranavir',
        'tucatinib',
        'voriconazole',
      ],
    },
    alternatives: [
      { replaces: 'a', name: 'rosuvastatin', note: 'not cleared by CYP3A4' },
      { replaces: 'a', name: 'pravastatin', note: 'not cleared by CYP3A4 (maximum 40 mg/day with clarithromycin)' },
    ],
  },
  { id: 'pk-3a4-strong-tolvaptan', a: { names: ['tolvaptan'] }, b: { classes: ['pk-strong-cyp3a4-inhibitors'] } },
  { id: 'pk-3a4-moderate-tolvaptan', a: { names: ['tolvaptan'] }, b: { classes: ['pk-moderate-cyp3a4-inhibitors'] } },
  { id: 'pk-3a4-strong-naloxegol', a: { names: ['naloxegol'] }, b: { classes: ['pk-strong-cyp3a4-inhibitors'] } },
  { id: 'pk-3a4-moderate-naloxegol', a: { names: ['naloxegol'] }, b: { classes: ['pk-moderate-cyp3a4-inhibitors'] } },
  {
    id: 'pk-3a4-flibanserin',
    a: { names: ['flibanserin'] },
    b: {
      classes: ['pk-strong-cyp3a4-inhibitors', 'pk-moderate-cyp3a4-inhibitors'],
      names: ['atazanavir', 'ciprofloxacin', 'fosamprenavir'],
    },
  },
  {
    id: 'pk-3a4-strong-eletriptan',
    a: { names: ['eletriptan'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
    alternatives: [
      {
        replaces: 'a',
        name: 'sumatriptan',
        note: 'not cleared by CYP3A4 (cleared by MAO-A: avoid with MAO inhibitors)',
      },
    ],
  },
  {
    id: 'pk-3a4-strong-dihydropyridines',
    a: { names: ['felodipine', 'nifedipine', 'nisoldipine'] },
    b: { classes: ['pk-strong-cyp3a4-inhibitors'] },
  },
  {
    id: 'pk-3a4-cilostazol',
    a: { names: ['cilostazol'] },
    b: { names: ['omeprazole'], classes: ['pk-strong-cyp3a4-inhibitors', 'pk-moderate-cyp3a4-inhibitors'] },
  },
  { id: 'pk-3a4-ketoconazole-isavuconazonium', a: { names: ['isavuconazonium'] }, b: { names: ['ketoconazole'] } },
  {
    id: 'pk-inducers-doacs',
    a: { classes: ['direct-oral-anticoagulants'] },
    b: { classes: ['pk-strong-cyp3a4-inducers'] },
  },
  {
    id: 'pk-inducers-hormonal-contraceptives',
    a: {
      names: [
        'ethinyl estradiol',
        'levonorgestrel',
        'norethindrone',
        'norgestimate',
        'norgestrel',
        'desogestrel',
        'drospirenone',
        'etonogestrel',
        'norelgestromin',
        'dienogest',
        'segesterone',
        'ethynodiol',
        'ulipristal',
      ],
    },
    b: {
      names: ['rifabutin', 'oxcarbazepine', 'eslicarbazepine', 'felbamate'],
      classes: ['pk-strong-cyp3a4-inducers'],
    },
    alternatives: [
      {
        replaces: 'a',
        name: 'medroxyprogesterone',
        note: 'depot injection (150 mg every 12 weeks) keeps contraceptive efficacy with enzyme inducers',
      },
    ],
  },
  {
    id: 'pk-inducers-immunosuppressants',
    a: { classes: ['calcineurin-inhibitors', 'mtor-inhibitors'] },
    b: { names: ['rifabutin'], classes: ['pk-strong-cyp3a4-inducers'] },
  },
  {
    id: 'pk-inducers-warfarin',
    a: { names: ['warfarin'] },
    b: {
      names: ['rifampin', 'rifabutin', 'rifapentine', 'carbamazepine', 'phenobarbital', 'primidone', "st. john's wort"],
    },
  },
  { id: 'pk-warfarin-phenytoin', a: { names: ['warfarin'] }, b: { names: ['phenytoin', 'fosphenytoin'] } },
  {
    id: 'pk-inducers-rilpivirine-doravirine',
    a: { names: ['rilpivirine', 'doravirine'] },
    b: {
      names: [
        'carbamazepine',
        'oxcarbazepine',
        'phenobarbital',
        'phenytoin',
        'fosphenytoin',
        'rifampin',
        'rifapentine',
        "st. john's wort",
      ],
    },
  },
  { id: 'pk-rilpivirine-ppis', a: { names: ['rilpivirine'] }, b: { classes: ['proton-pump-inhibitors'] } },
  {
    id: 'pk-h2ra-rilpivirine-atazanavir',
    a: { names: ['rilpivirine', 'atazanavir'] },
    b: { classes: ['h2-receptor-antagonists'] },
  },
  {
    id: 'pk-inducers-cabotegravir',
    a: { names: ['cabotegravir'] },
    b: {
      names: [
        'carbamazepine',
        'oxcarbazepine',
        'phenobarbital',
        'phenytoin',
        'fosphenytoin',
        'rifampin',
        'rifapentine',
      ],
    },
  },
  { id: 'pk-rifampin-bictegravir', a: { names: ['bictegravir'] }, b: { names: ['rifampin'] } },
  {
    id: 'pk-inducers-bictegravir',
    a: { names: ['bictegravir'] },
    b: {
      names: [
        'rifabutin',
        'rifapentine',
        'carbamazepine',
        'oxcarbazepine',
        'phenobarbital',
        'phenytoin',
        'fosphenytoin',
        "st. john's wort",
      ],
    },
  },
  {
    id: 'pk-inducers-dolutegravir',
    a: { names: ['dolutegravir'] },
    b: {
      names: [
        'rifampin',
        'carbamazepine',
        'oxcarbazepine',
        'phenytoin',
        'fosphenytoin',
        'phenobarbital',
        "st. john's wort",
      ],
    },
  },
  {
    id: 'pk-inducers-cobicistat-regimens',
    a: { names: ['cobicistat', 'elvitegravir'] },
    b: { names: ['carbamazepine', 'phenobarbital', 'phenytoin', 'fosphenytoin', 'rifampin', "st. john's wort"] },
  },
  {
    id: 'pk-inducers-protease-inhibitors-antiepileptics',
    a: { names: ['atazanavir', 'darunavir', 'fosamprenavir', 'lopinavir', 'nelfinavir', 'ritonavir', 'tipranavir'] },
    b: { names: ['phenytoin', 'fosphenytoin', 'phenobarbital', 'primidone', 'oxcarbazepine'] },
    alternatives: [{ replaces: 'b', name: 'levetiracetam', note: 'antiepileptic without enzyme induction' }],
  },
  {
    id: 'pk-inducers-elbasvir-grazoprevir',
    a: { names: ['elbasvir', 'grazoprevir'] },
    b: { names: ['carbamazepine', 'phenytoin', 'fosphenytoin', 'rifampin', "st. john's wort", 'efavirenz'] },
  },
  {
    id: 'pk-oatp-elbasvir-grazoprevir',
    a: { names: ['elbasvir', 'grazoprevir'] },
    b: { names: ['atazanavir', 'darunavir', 'lopinavir', 'tipranavir', 'cyclosporine'] },
  },
  {
    id: 'pk-rifampin-glecaprevir-pibrentasvir',
    a: { names: ['glecaprevir', 'pibrentasvir'] },
    b: { names: ['rifampin'] },
  },
  {
    id: 'pk-atazanavir-glecaprevir-pibrentasvir',
    a: { names: ['glecaprevir', 'pibrentasvir'] },
    b: { names: ['atazanavir'] },
  },
  {
    id: 'pk-inducers-glecaprevir-pibrentasvir',
    a: { names: ['glecaprevir', 'pibrentasvir'] },
    b: {
      names: [
        'carbamazepine',
        'oxcarbazepine',
        'phenytoin',
        'fosphenytoin',
        'phenobarbital',
        "st. john's wort",
        'efavirenz',
      ],
    },
  },
  {
    id: 'pk-inducers-sofosbuvir-ns5a',
    a: { names: ['sofosbuvir', 'ledipasvir', 'velpatasvir'] },
    b: {
      names: [
        'rifampin',
        'rifabutin',
        'rifapentine',
        'carbamazepine',
        'oxcarbazepine',
        'phenytoin',
        'fosphenytoin',
        'phenobarbital',
        "st. john's wort",
      ],
    },
  },
  { id: 'pk-rifampin-voxilaprevir', a: { names: ['voxilaprevir'] }, b: { names: ['rifampin'] } },
  {
    id: 'pk-acid-suppressants-ledipasvir-velpatasvir',
    a: { names: ['ledipasvir', 'velpatasvir'] },
    b: { classes: ['proton-pump-inhibitors', 'h2-receptor-antagonists'] },
  },
  {
    id: 'pk-inducers-voriconazole',
    a: { names: ['voriconazole'] },
    b: { names: ['rifampin', 'rifabutin', 'carbamazepine', 'phenobarbital', 'primidone', "st. john's wort"] },
  },
  {
    id: 'pk-voriconazole-phenytoin-efavirenz-ritonavir',
    a: { names: ['voriconazole'] },
    b: { names: ['phenytoin', 'fosphenytoin', 'efavirenz', 'ritonavir'] },
  },
  {
    id: 'pk-inducers-isavuconazonium',
    a: { names: ['isavuconazonium'] },
    b: { classes: ['pk-strong-cyp3a4-inducers'] },
  },
  {
    id: 'pk-inducers-itraconazole-posaconazole',
    a: { names: ['itraconazole', 'posaconazole'] },
    b: { names: ['rifabutin', 'efavirenz'], classes: ['pk-strong-cyp3a4-inducers'] },
  },
  {
    id: 'pk-inducers-opioids',
    a: { names: ['methadone', 'fentanyl', 'oxycodone', 'hydrocodone'] },
    b: {
      names: [
        'carbamazepine',
        'enzalutamide',
        'fosphenytoin',
        'mitotane',
        'phenytoin',
        'rifampin',
        'rifapentine',
        "st. john's wort",
        'rifabutin',
      ],
    },
    alternatives: [
      {
        replaces: 'a',
        name: 'morphine',
        note: 'not dependent on CYP3A4 (for pain, not for opioid-use-disorder maintenance)',
      },
      { replaces: 'a', name: 'hydromorphone', note: 'not dependent on CYP3A4 (for pain)' },
    ],
  },
  {
    id: 'pk-inducers-ranolazine',
    a: { names: ['ranolazine'] },
    b: { names: ['rifabutin'], classes: ['pk-strong-cyp3a4-inducers'] },
  },
  { id: 'pk-inducers-ticagrelor', a: { names: ['ticagrelor'] }, b: { classes: ['pk-strong-cyp3a4-inducers'] } },
  { id: 'pk-inducers-lurasidone', a: { names: ['lurasidone'] }, b: { classes: ['pk-strong-cyp3a4-inducers'] } },
  {
    id: 'pk-inducers-dronedarone-ivabradine',
    a: { names: ['dronedarone', 'ivabradine'] },
    b: { classes: ['pk-strong-cyp3a4-inducers'] },
  },
  {
    id: 'pk-inducers-antipsychotics',
    a: { names: ['quetiapine', 'aripiprazole', 'brexpiprazole'] },
    b: { classes: ['pk-strong-cyp3a4-inducers'] },
  },
  {
    id: 'pk-inducers-clozapine',
    a: { names: ['clozapine'] },
    b: {
      names: [
        'enzalutamide',
        'fosphenytoin',
        'mitotane',
        'phenobarbital',
        'phenytoin',
        'primidone',
        'rifampin',
        'rifapentine',
        "st. john's wort",
      ],
    },
  },
  {
    id: 'pk-inducers-theophylline',
    a: { names: ['theophylline', 'aminophylline'] },
    b: { classes: ['pk-strong-cyp3a4-inducers'] },
  },
  {
    id: 'pk-inducers-lamotrigine',
    a: { names: ['lamotrigine'] },
    b: { names: ['carbamazepine', 'phenytoin', 'fosphenytoin', 'phenobarbital', 'primidone', 'rifampin'] },
  },
  { id: 'pk-estrogens-lamotrigine', a: { names: ['lamotrigine'] }, b: { names: ['ethinyl estradiol'] } },
  {
    id: 'pk-2c9-warfarin-azoles-amiodarone',
    a: { names: ['warfarin'] },
    b: { names: ['fluconazole', 'voriconazole', 'amiodarone'] },
  },
  // Miconazole on its own entry: its side counts every form (vaginal, oral gel, skin), the others systemic forms only.
  { id: 'pk-2c9-warfarin-miconazole', a: { names: ['warfarin'] }, b: { names: ['miconazole'] } },
  { id: 'pk-warfarin-metronidazole', a: { names: ['warfarin'] }, b: { names: ['metronidazole'] } },
  { id: 'pk-warfarin-sulfamethoxazole', a: { names: ['warfarin'] }, b: { names: ['sulfamethoxazole'] } },
  // Antibiotics whose labels ask for INR monitoring and which population studies tie to bleeding on warfarin, with
  // a smaller excess than co-trimoxazole, fluconazole or metronidazole (and none beyond the infection itself against
  // an active comparator for ciprofloxacin and levofloxacin): moderate.
  { id: 'pk-warfarin-fluoroquinolones', a: { names: ['warfarin'] }, b: { classes: ['fluoroquinolones'] } },
  { id: 'pk-warfarin-macrolides', a: { names: ['warfarin'] }, b: { classes: ['macrolides'] } },
  // the CYP3A4-inhibiting azoles (R-warfarin); the CYP2C9-inhibiting ones are pk-2c9-warfarin-azoles-amiodarone
  { id: 'pk-warfarin-3a4-azoles', a: { names: ['warfarin'] }, b: { names: ['itraconazole', 'ketoconazole'] } },
  { id: 'pk-warfarin-capecitabine', a: { names: ['warfarin'] }, b: { names: ['capecitabine'] } },
  { id: 'pk-phenytoin-fluconazole', a: { names: ['phenytoin', 'fosphenytoin'] }, b: { names: ['fluconazole'] } },
  {
    id: 'pk-sulfonylureas-2c9-inhibitors',
    a: { classes: ['sulfonylureas'] },
    b: { names: ['fluconazole', 'miconazole', 'voriconazole', 'sulfamethoxazole'] },
  },
  { id: 'pk-celecoxib-fluconazole', a: { names: ['celecoxib'] }, b: { names: ['fluconazole'] } },
  {
    id: 'pk-1a2-tizanidine-other-inhibitors',
    a: { names: ['tizanidine'] },
    b: { names: ['verapamil', 'cimetidine', 'famotidine', 'acyclovir', 'ethinyl estradiol', 'norfloxacin'] },
    alternatives: [
      { replaces: 'a', name: 'baclofen', note: 'renally cleared muscle relaxant without CYP1A2 dependence' },
    ],
  },
  {
    id: 'pk-1a2-theophylline-fluvoxamine',
    a: { names: ['theophylline', 'aminophylline'] },
    b: { names: ['fluvoxamine'] },
  },
  {
    id: 'pk-1a2-theophylline-strong-inhibitors',
    a: { names: ['theophylline', 'aminophylline'] },
    b: { names: ['ciprofloxacin', 'enoxacin', 'zileuton'] },
  },
  {
    id: 'pk-theophylline-other-inhibitors',
    a: { names: ['theophylline', 'aminophylline'] },
    b: {
      names: [
        'cimetidine',
        'clarithromycin',
        'erythromycin',
        'mexiletine',
        'propafenone',
        'ticlopidine',
        'pentoxifylline',
      ],
    },
  },
  { id: 'pk-1a2-clozapine', a: { names: ['clozapine'] }, b: { names: ['fluvoxamine', 'ciprofloxacin', 'enoxacin'] } },
  { id: 'pk-1a2-duloxetine', a: { names: ['duloxetine'] }, b: { names: ['fluvoxamine', 'ciprofloxacin', 'enoxacin'] } },
  { id: 'pk-1a2-pirfenidone-fluvoxamine', a: { names: ['pirfenidone'] }, b: { names: ['fluvoxamine'] } },
  { id: 'pk-1a2-pirfenidone-ciprofloxacin', a: { names: ['pirfenidone'] }, b: { names: ['ciprofloxacin'] } },
  { id: 'pk-1a2-rasagiline-ciprofloxacin', a: { names: ['rasagiline'] }, b: { names: ['ciprofloxacin'] } },
  { id: 'pk-1a2-olanzapine-fluvoxamine', a: { names: ['olanzapine'] }, b: { names: ['fluvoxamine'] } },
  {
    id: 'pk-2d6-tamoxifen',
    a: { names: ['tamoxifen'] },
    b: { names: ['fluoxetine', 'paroxetine', 'bupropion', 'quinidine', 'terbinafine'] },
    alternatives: [
      {
        replaces: 'b',
        name: 'venlafaxine',
        note: 'weak CYP2D6 inhibitor; commonly chosen for depression or hot flushes during tamoxifen',
      },
    ],
  },
  {
    id: 'pk-2d6-codeine',
    a: { names: ['codeine'] },
    b: { names: ['fluoxetine', 'paroxetine', 'bupropion', 'quinidine', 'terbinafine'] },
    alternatives: [
      { replaces: 'a', name: 'morphine', note: 'active drug, not dependent on CYP2D6 activation' },
      { replaces: 'a', name: 'hydromorphone', note: 'active drug, not dependent on CYP2D6 activation' },
    ],
  },
  {
    id: 'pk-2d6-tramadol',
    a: { names: ['tramadol'] },
    b: { names: ['fluoxetine', 'paroxetine', 'quinidine', 'terbinafine'] },
    alternatives: [
      { replaces: 'a', name: 'morphine', note: 'active drug, not dependent on CYP2D6 activation' },
      { replaces: 'a', name: 'hydromorphone', note: 'active drug, not dependent on CYP2D6 activation' },
    ],
  },
  {
    id: 'pk-2d6-tricyclics',
    a: { classes: ['tricyclic-antidepressants'] },
    b: { names: ['fluoxetine', 'paroxetine', 'bupropion', 'quinidine', 'terbinafine'] },
  },
  {
    id: 'pk-2d6-metoprolol',
    a: { names: ['metoprolol'] },
    b: { names: ['bupropion', 'quinidine', 'terbinafine', 'cinacalcet', 'mirabegron'] },
    alternatives: [{ replaces: 'a', name: 'bisoprolol', note: 'not dependent on CYP2D6 for clearance' }],
  },
  {
    id: 'pk-2d6-thioridazine',
    a: { names: ['thioridazine'] },
    b: { names: ['fluoxetine', 'paroxetine', 'bupropion', 'quinidine', 'fluvoxamine', 'propranolol', 'pindolol'] },
  },
  {
    id: 'pk-2d6-pimozide-fluoxetine-paroxetine',
    a: { names: ['pimozide'] },
    b: { names: ['fluoxetine', 'paroxetine'] },
  },
  {
    id: 'pk-2d6-eliglustat',
    a: { names: ['eliglustat'] },
    b: { names: ['fluoxetine', 'paroxetine', 'bupropion', 'quinidine', 'terbinafine'] },
  },
  {
    id: 'pk-2d6-atomoxetine',
    a: { names: ['atomoxetine'] },
    b: { names: ['fluoxetine', 'paroxetine', 'bupropion', 'quinidine'] },
  },
  {
    id: 'pk-2d6-vmat2-inhibitors',
    a: { names: ['tetrabenazine', 'deutetrabenazine', 'valbenazine'] },
    b: { names: ['fluoxetine', 'paroxetine', 'bupropion', 'quinidine'] },
  },
  {
    id: 'pk-2d6-aripiprazole-brexpiprazole',
    a: { names: ['aripiprazole', 'brexpiprazole', 'iloperidone'] },
    b: { names: ['fluoxetine', 'paroxetine', 'bupropion', 'quinidine'] },
  },
  {
    id: 'pk-2c19-clopidogrel-omeprazole-esomeprazole',
    a: { names: ['clopidogrel'] },
    b: { names: ['omeprazole', 'esomeprazole'] },
    alternatives: [
      { replaces: 'b', name: 'pantoprazole', note: 'weak CYP2C19 inhibitor; preferred PPI with clopidogrel' },
      { replaces: 'b', name: 'famotidine', note: 'H2-receptor antagonist without CYP2C19 inhibition' },
    ],
  },
  {
    id: 'pk-2c19-clopidogrel-other-inhibitors',
    a: { names: ['clopidogrel'] },
    b: { names: ['fluconazole', 'voriconazole', 'fluvoxamine'] },
  },
  {
    id: 'pk-2c19-citalopram',
    a: { names: ['citalopram'] },
    b: { names: ['cimetidine', 'omeprazole', 'esomeprazole', 'fluconazole', 'voriconazole'] },
    alternatives: [{ replaces: 'b', name: 'pantoprazole', note: 'weak CYP2C19 inhibitor' }],
  },
  {
    id: 'pk-pgp-digoxin-amiodarone-dronedarone',
    a: { names: ['digoxin'] },
    b: { names: ['amiodarone', 'dronedarone'] },
  },
  { id: 'pk-pgp-digoxin-quinidine', a: { names: ['digoxin'] }, b: { names: ['quinidine'] } },
  { id: 'pk-pgp-digoxin-propafenone', a: { names: ['digoxin'] }, b: { names: ['propafenone'] } },
  { id: 'pk-pgp-digoxin-verapamil', a: { names: ['digoxin'] }, b: { names: ['verapamil'] } },
  // clarithromycin apart: population studies found hospitalisation for digoxin toxicity 12-15 times as likely
  { id: 'pk-pgp-digoxin-clarithromycin', a: { names: ['digoxin'] }, b: { names: ['clarithromycin'] } },
  {
    id: 'pk-pgp-digoxin-other-inhibitors',
    a: { names: ['digoxin'] },
    b: { names: ['erythromycin', 'azithromycin', 'itraconazole', 'ritonavir', 'cyclosporine', 'ranolazine'] },
  },
  {
    id: 'pk-pgp-dabigatran-dronedarone-ketoconazole',
    a: { names: ['dabigatran etexilate'] },
    b: { names: ['dronedarone', 'ketoconazole'] },
  },
  {
    id: 'pk-pgp-dabigatran-other-inhibitors',
    a: { names: ['dabigatran etexilate'] },
    b: { names: ['amiodarone', 'verapamil', 'quinidine', 'clarithromycin'] },
  },
  {
    id: 'pk-pgp-edoxaban',
    a: { names: ['edoxaban'] },
    b: {
      names: [
        'verapamil',
        'quinidine',
        'azithromycin',
        'clarithromycin',
        'erythromycin',
        'itraconazole',
        'ketoconazole',
        'dronedarone',
        'cyclosporine',
      ],
    },
  },
  {
    id: 'pk-dofetilide-renal-secretion-inhibitors',
    a: { names: ['dofetilide'] },
    b: {
      names: [
        'cimetidine',
        'trimethoprim',
        'dolutegravir',
        'bictegravir',
        'megestrol',
        'prochlorperazine',
        'ketoconazole',
        'verapamil',
      ],
    },
    alternatives: [
      { replaces: 'b', name: 'omeprazole', note: 'did not change dofetilide exposure in the label study' },
    ],
  },
  {
    id: 'pk-oatp-cyclosporine-statins-contraindicated',
    a: { names: ['simvastatin', 'lovastatin', 'pitavastatin'] },
    b: { names: ['cyclosporine'] },
  },
  {
    id: 'pk-oatp-cyclosporine-atorvastatin-rosuvastatin',
    a: { names: ['atorvastatin', 'rosuvastatin'] },
    b: { names: ['cyclosporine'] },
  },
  {
    id: 'pk-oatp-cyclosporine-pravastatin-fluvastatin',
    a: { names: ['pravastatin', 'fluvastatin'] },
    b: { names: ['cyclosporine'] },
  },
  { id: 'pk-gemfibrozil-simvastatin', a: { names: ['simvastatin'] }, b: { names: ['gemfibrozil'] } },
  {
    id: 'pk-gemfibrozil-other-statins',
    a: { names: ['atorvastatin', 'fluvastatin', 'lovastatin', 'pitavastatin', 'pravastatin', 'rosuvastatin'] },
    b: { names: ['gemfibrozil'] },
  },
  { id: 'pk-gemfibrozil-repaglinide', a: { names: ['repaglinide'] }, b: { names: ['gemfibrozil'] } },
  { id: 'pk-clopidogrel-repaglinide', a: { names: ['repaglinide'] }, b: { names: ['clopidogrel'] } },
  {
    id: 'pk-rosuvastatin-protease-inhibitors',
    a: { names: ['rosuvastatin'] },
    b: { names: ['atazanavir', 'lopinavir'] },
  },
  {
    id: 'pk-rosuvastatin-hcv',
    a: { names: ['rosuvastatin'] },
    b: { names: ['velpatasvir', 'ledipasvir', 'elbasvir', 'grazoprevir', 'glecaprevir', 'pibrentasvir'] },
  },
  { id: 'pk-voxilaprevir-rosuvastatin', a: { names: ['rosuvastatin'] }, b: { names: ['voxilaprevir'] } },
  {
    id: 'pk-glecaprevir-statins',
    a: { names: ['atorvastatin', 'lovastatin', 'simvastatin'] },
    b: { names: ['glecaprevir', 'pibrentasvir'] },
  },
  { id: 'pk-bosentan-cyclosporine', a: { names: ['bosentan'] }, b: { names: ['cyclosporine'] } },
  { id: 'pk-bosentan-glyburide', a: { names: ['bosentan'] }, b: { names: ['glyburide'] } },
  {
    id: 'pk-metformin-oct2-mate-inhibitors',
    a: { names: ['metformin'] },
    b: { names: ['dolutegravir', 'ranolazine', 'cimetidine'] },
  },
  { id: 'pk-allopurinol-thiopurines', a: { names: ['azathioprine', 'mercaptopurine'] }, b: { names: ['allopurinol'] } },
  { id: 'pk-valproate-carbapenems', a: { names: ['valproate'] }, b: { classes: ['carbapenems'] } },
  { id: 'pk-lamotrigine-valproate', a: { names: ['lamotrigine'] }, b: { names: ['valproate'] } },
  {
    id: 'pk-levothyroxine-binders',
    a: { classes: ['thyroid-hormones'] },
    b: {
      names: [
        'aluminum hydroxide',
        'magnesium hydroxide',
        'magnesium oxide',
        'magnesium carbonate',
        'sucralfate',
        'sevelamer',
        'lanthanum carbonate',
        'ferric citrate',
        'sucroferric oxyhydroxide',
        'cholestyramine resin',
        'colesevelam',
        'colestipol',
        'patiromer',
      ],
    },
  },
  {
    id: 'pk-quinolones-polyvalent-cations',
    a: { classes: ['fluoroquinolones'] },
    b: {
      names: [
        'aluminum hydroxide',
        'magnesium hydroxide',
        'magnesium oxide',
        'magnesium carbonate',
        'calcium carbonate',
        'calcium acetate',
        'calcium citrate',
        'ferrous sulfate',
        'ferrous gluconate',
        'ferrous fumarate',
        'polysaccharide iron complex',
        'ferric citrate',
        'sucralfate',
        'sevelamer',
        'lanthanum carbonate',
        'didanosine',
      ],
    },
  },
  {
    id: 'pk-tetracyclines-polyvalent-cations',
    a: { names: ['demeclocycline', 'doxycycline', 'minocycline', 'omadacycline', 'sarecycline', 'tetracycline'] },
    b: {
      names: [
        'aluminum hydroxide',
        'magnesium hydroxide',
        'magnesium oxide',
        'magnesium carbonate',
        'calcium carbonate',
        'calcium acetate',
        'calcium citrate',
        'ferrous sulfate',
        'ferrous gluconate',
        'ferrous fumarate',
        'polysaccharide iron complex',
        'ferric citrate',
        'zinc sulfate',
        'zinc acetate',
        'zinc gluconate',
        'bismuth subsalicylate',
        'sucralfate',
      ],
    },
  },
  {
    id: 'pk-bisphosphonates-polyvalent-cations',
    a: { names: ['alendronate', 'risedronate', 'ibandronate', 'etidronate'] },
    b: {
      names: [
        'aluminum hydroxide',
        'magnesium hydroxide',
        'magnesium oxide',
        'magnesium carbonate',
        'ferrous sulfate',
        'ferrous gluconate',
        'ferrous fumarate',
        'polysaccharide iron complex',
        'ferric citrate',
      ],
    },
  },
  {
    id: 'pk-integrase-inhibitors-polyvalent-cations',
    a: { names: ['dolutegravir', 'bictegravir', 'raltegravir', 'cabotegravir', 'elvitegravir'] },
    b: {
      names: [
        'aluminum hydroxide',
        'magnesium hydroxide',
        'magnesium oxide',
        'magnesium carbonate',
        'calcium carbonate',
        'calcium acetate',
        'calcium citrate',
        'ferrous sulfate',
        'ferrous gluconate',
        'ferrous fumarate',
        'polysaccharide iron complex',
        'ferric citrate',
        'sucralfate',
      ],
    },
  },
  {
    id: 'pk-acid-suppressants-kinase-inhibitors',
    a: { names: ['dasatinib', 'erlotinib', 'gefitinib', 'pazopanib', 'nilotinib', 'neratinib'] },
    b: { classes: ['proton-pump-inhibitors'] },
  },
  {
    id: 'pk-methotrexate-proton-pump-inhibitors',
    a: { names: ['methotrexate'] },
    b: { classes: ['proton-pump-inhibitors'] },
  },
  {
    id: 'pk-acid-suppressants-itraconazole',
    a: { names: ['itraconazole'] },
    b: { classes: ['proton-pump-inhibitors', 'h2-receptor-antagonists'] },
  },
];
