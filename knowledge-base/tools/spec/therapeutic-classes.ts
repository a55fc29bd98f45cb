/**
 * Therapeutic classes that interaction specs reference by id (`classes: ['statins']`), stated by RxNorm ingredient
 * NAME (build-kb.ts resolves each name to a verified IN code), plus `COMMON_INGREDIENTS`: frequently prescribed
 * ingredients that belong to none of these classes but must still resolve (their products are mapped).
 *
 * Membership rules:
 *  - US-marketed members (or members still found in US records); an ingredient absent from the RxNorm 2025 extract
 *    must verify through two agreeing 2014 sources, otherwise it is left out and the reason is recorded here.
 *  - A class holds the ingredient (IN), never a salt (PIN): products of every salt map to the IN.
 *  - The schema cannot express route, so "systemic" classes also match topical/inhaled products of the same IN
 *    (corticosteroids, timolol eye drops, azoles); the interaction entry must say when route matters.
 *
 * Borderline decisions (also in knowledge-base/README.md):
 *  - opioids: tramadol and tapentadol are in (mu-opioid agonists, scheduled, same respiratory-depression and
 *    serotonergic/CNS warnings); buprenorphine, butorphanol, nalbuphine and pentazocine (partial or mixed
 *    agonist-antagonists) are in, because their labels carry the same opioid CNS-depressant warnings. Opioid
 *    antagonists (naloxone, naltrexone), loperamide, diphenoxylate and dextromethorphan are out.
 *  - salicylates: aspirin, salsalate and magnesium salicylate. Mesalamine, sulfasalazine, balsalazide and olsalazine
 *    are out: 5-aminosalicylates act locally in the gut, with no clinically relevant systemic COX or antiplatelet
 *    effect. Diflunisal (a salicylic acid derivative labelled as an NSAID) is in `nsaids`. Choline salicylate and
 *    choline magnesium trisalicylate are RxNorm PINs/multi-ingredient concepts: their products map to the
 *    salicylate INs through build-kb's product map.
 *  - nsaids: non-salicylate NSAIDs, COX-2 selective celecoxib included; aspirin is NOT here (see salicylates).
 *  - ssris: the six classic SSRIs. Vilazodone and vortioxetine (serotonin reuptake inhibitors with receptor
 *    activity) are in too: their labels carry the same MAOI contraindication, serotonin-syndrome and bleeding
 *    warnings as the class.
 *  - maois: isocarboxazid, phenelzine, tranylcypromine (non-selective, irreversible), selegiline, rasagiline,
 *    safinamide (MAO-B, whose labels contraindicate the same serotonergic and sympathomimetic drugs). Linezolid and
 *    methylene blue (MAO-inhibiting anti-infective / dye) and procarbazine are NOT members: interaction entries name
 *    them explicitly where their labels require it. Moclobemide is not US-marketed and is left out.
 *  - antiepileptics-enzyme-inducing: carbamazepine, phenytoin, fosphenytoin, phenobarbital, primidone (strong
 *    CYP3A4 inducers). Oxcarbazepine and eslicarbazepine are OUT: their CYP3A4 induction is weaker and
 *    dose-dependent; entries that need them (e.g. hormonal contraceptives) name them explicitly.
 *  - potassium-sparing-diuretics: amiloride, triamterene and the mineralocorticoid antagonists spironolactone,
 *    eplerenone and finerenone (finerenone is not a diuretic but carries the same hyperkalaemia warning).
 *  - thiazide-diuretics: thiazides and the thiazide-like chlorthalidone, indapamide and metolazone.
 *  - heparins: unfractionated heparin, enoxaparin, dalteparin. Fondaparinux (a synthetic pentasaccharide) is out.
 *  - direct-oral-anticoagulants: apixaban, dabigatran etexilate, edoxaban, rivaroxaban. Betrixaban (withdrawn) does
 *    not verify. Warfarin is the one vitamin K antagonist marketed in the US.
 *  - p2y12-inhibitors: clopidogrel, prasugrel, ticagrelor, cangrelor, ticlopidine (withdrawn in the US but present in
 *    older records and on the ONC CYP1A2 list).
 *  - sedating-antihistamines: first-generation H1 antagonists. Promethazine (a phenothiazine used as an
 *    antihistamine and antiemetic) is here, not among the antipsychotics; prochlorperazine (a phenothiazine
 *    antiemetic) is in neither class.
 *  - azole-antifungals: the systemically used triazoles and ketoconazole, plus miconazole and clotrimazole (oral
 *    buccal/troche forms reach the circulation and inhibit CYP3A4). Isavuconazonium is the RxNorm IN of the
 *    isavuconazole prodrug.
 *  - macrolides: azithromycin, clarithromycin, erythromycin. Telithromycin (ketolide, withdrawn) and fidaxomicin
 *    (non-absorbed) are out.
 *  - tetracyclines: tetracycline-class drugs including the glycylcycline tigecycline and the aminomethylcycline
 *    omadacycline.
 *  - glp1-receptor-agonists: tirzepatide (dual GIP/GLP-1 agonist) is in: same gastric-emptying and hypoglycaemia
 *    (with insulin/sulfonylureas) warnings. Albiglutide (withdrawn) does not verify.
 *  - dpp4-inhibitors: alogliptin does not verify (only FDA UNII 2014 confirms its code; not in the B–Z extract) and
 *    is left out.
 *  - pde5-inhibitors: avanafil does not verify (only FDA UNII 2014) and is left out.
 *  - nitrates: nitroglycerin, isosorbide dinitrate, "isosorbide" (RxNorm's IN for isosorbide mononitrate, PIN 28004)
 *    and amyl nitrite (a nitrite, but the PDE5-inhibitor labels contraindicate nitrates and nitric oxide donors in
 *    any form).
 *  - insulins: every RxNorm insulin IN of the extract (RxNorm names: "insulin aspart, human", "insulin, regular,
 *    human", "insulin isophane", …).
 *  - systemic-corticosteroids: glucocorticoids given orally or parenterally; budesonide is included (oral forms
 *    have systemic activity, strong CYP3A4 inhibitors raise its exposure). Inhaled-only fluticasone, mometasone,
 *    beclomethasone and ciclesonide are out.
 *  - cholinesterase-inhibitors: the dementia drugs donepezil, galantamine, rivastigmine and the
 *    myasthenia/reversal agents pyridostigmine, neostigmine, physostigmine.
 *  - antimuscarinics-urinary: bladder antimuscarinics. Mirabegron (beta-3 agonist) is out.
 *  - cns-stimulants: amphetamines and methylphenidates. Modafinil/armodafinil (wakefulness agents with a different
 *    mechanism) and atomoxetine (non-stimulant) are out; phentermine (anorectic sympathomimetic) is out.
 *  - estrogens / progestins: ingredients of hormonal contraceptives and menopausal therapy; combination products
 *    belong to both classes through their two ingredients. Megestrol is a progestin (its label's EPC) and is in
 *    `progestins`, although not a contraceptive.
 *  - opioid structural groups (allergy cross-sensitivity, not potency): phenanthrenes (morphine and its
 *    semi-synthetic derivatives, with the partial/mixed agonists buprenorphine, butorphanol, nalbuphine, pentazocine
 *    and levorphanol), phenylpiperidines (meperidine and the fentanyl family), diphenylheptanes (methadone;
 *    propoxyphene was withdrawn). Tramadol and tapentadol fit none of the three and are in no structural group.
 */
import type { EntrySpec, ClassSpec, CitationSpec } from '../member-spec.js';

const label = (drug: string, section: string): CitationSpec => ({
  source: `FDA prescribing information, ${drug}`,
  section,
  url: `https://dailymed.nlm.nih.gov/dailymed/search.cfm?query=${encodeURIComponent(drug).replace(/%20/g, '+')}`,
});
const INDICATIONS = '1 INDICATIONS AND USAGE; 12.1 Mechanism of Action (established pharmacologic class)';

export const classes: ClassSpec[] = [
  // ------------------------------------------------------------ renin-angiotensin-aldosterone and diuretics
  {
    id: 'ace-inhibitors',
    name: 'ACE inhibitors',
    names: [
      'benazepril',
      'captopril',
      'enalapril',
      'enalaprilat',
      'fosinopril',
      'lisinopril',
      'moexipril',
      'perindopril',
      'quinapril',
      'ramipril',
      'trandolapril',
    ],
    citations: [label('lisinopril', INDICATIONS), label('enalapril', INDICATIONS)],
  },
  {
    id: 'angiotensin-receptor-blockers',
    name: 'Angiotensin II receptor blockers (ARBs)',
    names: [
      'azilsartan',
      'candesartan',
      'eprosartan',
      'irbesartan',
      'losartan',
      'olmesartan',
      'telmisartan',
      'valsartan',
    ],
    citations: [label('losartan', INDICATIONS), label('valsartan', INDICATIONS)],
  },
  {
    id: 'potassium-sparing-diuretics',
    name: 'Potassium-sparing diuretics and mineralocorticoid receptor antagonists',
    names: ['amiloride', 'triamterene', 'spironolactone', 'eplerenone', 'finerenone'],
    citations: [
      label('spironolactone', '5.1 Hyperkalemia; 12.1 Mechanism of Action'),
      label('eplerenone', '4 CONTRAINDICATIONS; 5.1 Hyperkalemia'),
      label('finerenone', '5.1 Hyperkalemia; 12.1 Mechanism of Action'),
      label('amiloride', 'Boxed warning (hyperkalemia)'),
      label('triamterene', 'Boxed warning (hyperkalemia)'),
    ],
  },
  {
    id: 'potassium-supplements',
    name: 'Potassium supplements (potassium salts)',
    names: [
      'potassium chloride',
      'potassium citrate',
      'potassium bicarbonate',
      'potassium gluconate',
      'potassium acetate',
      'potassium phosphate',
    ],
    citations: [label('potassium chloride', '1 INDICATIONS AND USAGE; 5 WARNINGS AND PRECAUTIONS (hyperkalemia)')],
  },
  {
    id: 'thiazide-diuretics',
    name: 'Thiazide and thiazide-like diuretics',
    names: [
      'hydrochlorothiazide',
      'chlorothiazide',
      'chlorthalidone',
      'indapamide',
      'metolazone',
      'methyclothiazide',
      'bendroflumethiazide',
    ],
    citations: [
      label('hydrochlorothiazide', INDICATIONS),
      label('chlorthalidone', INDICATIONS),
      label('metolazone', 'CLINICAL PHARMACOLOGY'),
    ],
  },
  {
    id: 'loop-diuretics',
    name: 'Loop diuretics',
    names: ['furosemide', 'bumetanide', 'torsemide', 'ethacrynate'],
    citations: [label('furosemide', INDICATIONS), label('bumetanide', 'CLINICAL PHARMACOLOGY')],
  },
  // ------------------------------------------------------------ cardiovascular
  {
    id: 'beta-blockers',
    name: 'Beta-adrenergic blockers',
    names: [
      'acebutolol',
      'atenolol',
      'betaxolol',
      'bisoprolol',
      'carvedilol',
      'esmolol',
      'labetalol',
      'metoprolol',
      'nadolol',
      'nebivolol',
      'penbutolol',
      'pindolol',
      'propranolol',
      'sotalol',
      'timolol',
    ],
    citations: [
      label('metoprolol', INDICATIONS),
      label('propranolol', INDICATIONS),
      label('sotalol', '12.1 Mechanism of Action (class II and class III antiarrhythmic)'),
    ],
  },
  {
    id: 'dihydropyridine-calcium-channel-blockers',
    name: 'Dihydropyridine calcium channel blockers',
    names: [
      'amlodipine',
      'levamlodipine',
      'felodipine',
      'isradipine',
      'nicardipine',
      'nifedipine',
      'nimodipine',
      'nisoldipine',
      'clevidipine',
    ],
    citations: [label('amlodipine', INDICATIONS), label('nifedipine', INDICATIONS)],
  },
  {
    id: 'non-dihydropyridine-calcium-channel-blockers',
    name: 'Non-dihydropyridine calcium channel blockers (verapamil, diltiazem)',
    names: ['diltiazem', 'verapamil'],
    citations: [label('verapamil', INDICATIONS), label('diltiazem', INDICATIONS)],
  },
  {
    id: 'statins',
    name: 'Statins (HMG-CoA reductase inhibitors)',
    names: ['atorvastatin', 'fluvastatin', 'lovastatin', 'pitavastatin', 'pravastatin', 'rosuvastatin', 'simvastatin'],
    citations: [label('simvastatin', INDICATIONS), label('atorvastatin', INDICATIONS)],
  },
  {
    id: 'fibrates',
    name: 'Fibrates',
    // fenofibric acid is an RxNorm PIN of fenofibrate: its products map to fenofibrate
    names: ['fenofibrate', 'gemfibrozil'],
    citations: [
      label('fenofibrate', INDICATIONS),
      label('gemfibrozil', 'CLINICAL PHARMACOLOGY; WARNINGS (with HMG-CoA reductase inhibitors)'),
    ],
  },
  {
    id: 'vitamin-k-antagonists',
    name: 'Vitamin K antagonists',
    names: ['warfarin'],
    citations: [label('warfarin', '12.1 Mechanism of Action; 7 DRUG INTERACTIONS')],
  },
  {
    id: 'direct-oral-anticoagulants',
    name: 'Direct oral anticoagulants (factor Xa and thrombin inhibitors)',
    names: ['apixaban', 'dabigatran etexilate', 'edoxaban', 'rivaroxaban'],
    citations: [
      label('apixaban', INDICATIONS),
      label('rivaroxaban', INDICATIONS),
      label('dabigatran etexilate', INDICATIONS),
      label('edoxaban', INDICATIONS),
    ],
  },
  {
    id: 'heparins',
    name: 'Heparins (unfractionated and low-molecular-weight)',
    names: ['heparin', 'enoxaparin', 'dalteparin'],
    citations: [label('heparin', INDICATIONS), label('enoxaparin', INDICATIONS), label('dalteparin', INDICATIONS)],
  },
  {
    id: 'p2y12-inhibitors',
    name: 'P2Y12 platelet inhibitors',
    names: ['clopidogrel', 'prasugrel', 'ticagrelor', 'cangrelor', 'ticlopidine'],
    citations: [label('clopidogrel', INDICATIONS), label('ticagrelor', INDICATIONS), label('prasugrel', INDICATIONS)],
  },
  {
    id: 'nitrates',
    name: 'Nitrates and nitrites (nitric oxide donors)',
    names: ['nitroglycerin', 'isosorbide dinitrate', 'isosorbide', 'amyl nitrite'],
    citations: [
      label('nitroglycerin', INDICATIONS),
      label('isosorbide mononitrate', INDICATIONS),
      label('sildenafil', '4 CONTRAINDICATIONS (nitrates or nitric oxide donors in any form)'),
    ],
  },
  {
    id: 'pde5-inhibitors',
    name: 'Phosphodiesterase-5 inhibitors',
    names: ['sildenafil', 'tadalafil', 'vardenafil'],
    citations: [
      label('sildenafil', '4 CONTRAINDICATIONS; 12.1 Mechanism of Action'),
      label('tadalafil', '4 CONTRAINDICATIONS; 12.1 Mechanism of Action'),
    ],
  },
  {
    id: 'alpha1-blockers',
    name: 'Alpha-1 adrenergic blockers',
    names: ['alfuzosin', 'doxazosin', 'prazosin', 'silodosin', 'tamsulosin', 'terazosin'],
    citations: [label('tamsulosin', INDICATIONS), label('doxazosin', INDICATIONS)],
  },
  // ------------------------------------------------------------ analgesics, antithrombotic salicylates
  {
    id: 'salicylates',
    name: 'Salicylates (aspirin and systemic non-acetylated salicylates)',
    names: ['aspirin', 'salsalate', 'magnesium salicylate'],
    citations: [
      label('aspirin', 'Drug Facts: Warnings (bleeding, Reye syndrome)'),
      label('salsalate', 'CLINICAL PHARMACOLOGY'),
    ],
  },
  {
    id: 'nsaids',
    name: 'NSAIDs (non-salicylate, including COX-2 selective)',
    names: [
      'celecoxib',
      'diclofenac',
      'diflunisal',
      'etodolac',
      'fenoprofen',
      'flurbiprofen',
      'ibuprofen',
      'indomethacin',
      'ketoprofen',
      'ketorolac',
      'meclofenamate',
      'mefenamate',
      'meloxicam',
      'nabumetone',
      'naproxen',
      'oxaprozin',
      'piroxicam',
      'sulindac',
      'tolmetin',
    ],
    citations: [
      label('ibuprofen', 'Boxed warning (cardiovascular and gastrointestinal risk); 7 DRUG INTERACTIONS'),
      label('celecoxib', 'Boxed warning; 12.1 Mechanism of Action'),
      label('diflunisal', 'Boxed warning (NSAID class labelling)'),
    ],
  },
  {
    id: 'opioids',
    name: 'Opioid agonists (including partial and mixed agonists)',
    names: [
      'alfentanil',
      'buprenorphine',
      'butorphanol',
      'codeine',
      'dihydrocodeine',
      'fentanyl',
      'hydrocodone',
      'hydromorphone',
      'levorphanol',
      'meperidine',
      'methadone',
      'morphine',
      'nalbuphine',
      'oxycodone',
      'oxymorphone',
      'pentazocine',
      'remifentanil',
      'sufentanil',
      'tapentadol',
      'tramadol',
    ],
    citations: [
      label(
        'oxycodone',
        'Boxed warning; 5 WARNINGS AND PRECAUTIONS (concomitant benzodiazepines or other CNS depressants)',
      ),
      label('tramadol', 'Boxed warning; 12.1 Mechanism of Action (opioid agonist)'),
      label('tapentadol', 'Boxed warning; 12.1 Mechanism of Action (opioid agonist)'),
      label('buprenorphine', '5 WARNINGS AND PRECAUTIONS (CNS depressants)'),
    ],
  },
  {
    id: 'opioids-phenanthrene',
    name: 'Opioids, phenanthrene structure (morphine-related; allergy cross-sensitivity group)',
    names: [
      'buprenorphine',
      'butorphanol',
      'codeine',
      'dihydrocodeine',
      'hydrocodone',
      'hydromorphone',
      'levorphanol',
      'morphine',
      'nalbuphine',
      'oxycodone',
      'oxymorphone',
      'pentazocine',
    ],
    citations: [
      {
        source:
          'University of Illinois at Chicago College of Pharmacy Drug Information Group: What analgesics can be given to a patient allergic to codeine? (after Baumann T, Clin Pharm 1991;10:659)',
        url: 'https://docslib.org/doc/3031061/patient-allergic-to-codeine',
      },
    ],
  },
  {
    id: 'opioids-phenylpiperidine',
    name: 'Opioids, phenylpiperidine structure (meperidine and fentanyl family; allergy cross-sensitivity group)',
    names: ['alfentanil', 'fentanyl', 'meperidine', 'remifentanil', 'sufentanil'],
    citations: [
      {
        source:
          'University of Illinois at Chicago College of Pharmacy Drug Information Group: What analgesics can be given to a patient allergic to codeine? (after Baumann T, Clin Pharm 1991;10:659)',
        url: 'https://docslib.org/doc/3031061/patient-allergic-to-codeine',
      },
    ],
  },
  {
    id: 'opioids-diphenylheptane',
    name: 'Opioids, diphenylheptane structure (methadone; allergy cross-sensitivity group)',
    names: ['methadone'],
    citations: [
      {
        source:
          'University of Illinois at Chicago College of Pharmacy Drug Information Group: What analgesics can be given to a patient allergic to codeine? (after Baumann T, Clin Pharm 1991;10:659)',
        url: 'https://docslib.org/doc/3031061/patient-allergic-to-codeine',
      },
    ],
  },
  {
    id: 'triptans',
    name: 'Triptans (5-HT1B/1D agonists)',
    names: ['almotriptan', 'eletriptan', 'frovatriptan', 'naratriptan', 'rizatriptan', 'sumatriptan', 'zolmitriptan'],
    citations: [
      label('sumatriptan', INDICATIONS),
      label('rizatriptan', '4 CONTRAINDICATIONS; 12.1 Mechanism of Action'),
    ],
  },
  // ------------------------------------------------------------ psychotropics and CNS depressants
  {
    id: 'ssris',
    name: 'Selective serotonin reuptake inhibitors (SSRIs)',
    names: [
      'citalopram',
      'escitalopram',
      'fluoxetine',
      'fluvoxamine',
      'paroxetine',
      'sertraline',
      'vilazodone',
      'vortioxetine',
    ],
    citations: [
      label('sertraline', '4 CONTRAINDICATIONS; 12.1 Mechanism of Action'),
      label('vilazodone', '4 CONTRAINDICATIONS; 5 WARNINGS AND PRECAUTIONS'),
    ],
  },
  {
    id: 'snris',
    name: 'Serotonin-norepinephrine reuptake inhibitors (SNRIs)',
    names: ['desvenlafaxine', 'duloxetine', 'levomilnacipran', 'milnacipran', 'venlafaxine'],
    citations: [
      label('venlafaxine', '4 CONTRAINDICATIONS; 12.1 Mechanism of Action'),
      label('duloxetine', '4 CONTRAINDICATIONS; 12.1 Mechanism of Action'),
    ],
  },
  {
    id: 'tricyclic-antidepressants',
    name: 'Tricyclic antidepressants',
    names: [
      'amitriptyline',
      'amoxapine',
      'clomipramine',
      'desipramine',
      'doxepin',
      'imipramine',
      'nortriptyline',
      'protriptyline',
      'trimipramine',
    ],
    citations: [
      label('amitriptyline', 'CONTRAINDICATIONS (MAO inhibitors); CLINICAL PHARMACOLOGY'),
      label('nortriptyline', 'CONTRAINDICATIONS; CLINICAL PHARMACOLOGY'),
    ],
  },
  {
    id: 'maois',
    name: 'Monoamine oxidase inhibitors (MAOIs, including MAO-B inhibitors)',
    names: ['isocarboxazid', 'phenelzine', 'tranylcypromine', 'selegiline', 'rasagiline', 'safinamide'],
    citations: [
      label('phenelzine', 'CONTRAINDICATIONS; CLINICAL PHARMACOLOGY'),
      label('tranylcypromine', '4 CONTRAINDICATIONS'),
      label('rasagiline', '4 CONTRAINDICATIONS; 12.1 Mechanism of Action'),
      label('safinamide', '4 CONTRAINDICATIONS; 12.1 Mechanism of Action'),
      label('selegiline', '4 CONTRAINDICATIONS'),
    ],
  },
  {
    id: 'benzodiazepines',
    name: 'Benzodiazepines',
    names: [
      'alprazolam',
      'chlordiazepoxide',
      'clobazam',
      'clonazepam',
      'clorazepate',
      'diazepam',
      'estazolam',
      'flurazepam',
      'lorazepam',
      'midazolam',
      'oxazepam',
      'quazepam',
      'remimazolam',
      'temazepam',
      'triazolam',
    ],
    citations: [
      label('alprazolam', 'Boxed warning (concomitant opioids); 12.1 Mechanism of Action'),
      label('lorazepam', 'Boxed warning (concomitant opioids)'),
    ],
  },
  {
    id: 'z-hypnotics',
    name: 'Non-benzodiazepine hypnotics ("Z-drugs")',
    names: ['eszopiclone', 'zaleplon', 'zolpidem'],
    citations: [
      label('zolpidem', 'Boxed warning (complex sleep behaviors); 5 WARNINGS AND PRECAUTIONS (CNS depressants)'),
      label('eszopiclone', 'Boxed warning'),
    ],
  },
  {
    id: 'gabapentinoids',
    name: 'Gabapentinoids',
    // gabapentin enacarbil is an RxNorm PIN of gabapentin: its products map to gabapentin
    names: ['gabapentin', 'pregabalin'],
    citations: [
      label('gabapentin', '5 WARNINGS AND PRECAUTIONS (respiratory depression with CNS depressants)'),
      label('pregabalin', '5 WARNINGS AND PRECAUTIONS (respiratory depression)'),
    ],
  },
  {
    id: 'skeletal-muscle-relaxants',
    name: 'Skeletal muscle relaxants',
    names: [
      'baclofen',
      'carisoprodol',
      'chlorzoxazone',
      'cyclobenzaprine',
      'dantrolene',
      'metaxalone',
      'methocarbamol',
      'orphenadrine',
      'tizanidine',
    ],
    citations: [
      label('cyclobenzaprine', INDICATIONS),
      label('tizanidine', INDICATIONS),
      label('methocarbamol', 'INDICATIONS AND USAGE'),
    ],
  },
  {
    id: 'antipsychotics-first-generation',
    name: 'First-generation (typical) antipsychotics',
    names: [
      'chlorpromazine',
      'fluphenazine',
      'haloperidol',
      'loxapine',
      'molindone',
      'perphenazine',
      'pimozide',
      'thioridazine',
      'thiothixene',
      'trifluoperazine',
    ],
    citations: [
      label('haloperidol', 'Boxed warning (dementia-related psychosis); INDICATIONS'),
      label('chlorpromazine', 'Boxed warning; INDICATIONS'),
    ],
  },
  {
    id: 'antipsychotics-second-generation',
    name: 'Second-generation (atypical) antipsychotics',
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
      'pimavanserin',
      'quetiapine',
      'risperidone',
      'ziprasidone',
    ],
    citations: [
      label('quetiapine', 'Boxed warning; 12.1 Mechanism of Action'),
      label('olanzapine', 'Boxed warning; 12.1 Mechanism of Action'),
    ],
  },
  {
    id: 'sedating-antihistamines',
    name: 'Sedating (first-generation) antihistamines',
    names: [
      'brompheniramine',
      'carbinoxamine',
      'chlorpheniramine',
      'clemastine',
      'cyproheptadine',
      'dexchlorpheniramine',
      'dimenhydrinate',
      'diphenhydramine',
      'doxylamine',
      'hydroxyzine',
      'meclizine',
      'promethazine',
      'triprolidine',
    ],
    citations: [
      label('diphenhydramine', 'Drug Facts: Warnings (marked drowsiness; sedatives and tranquilizers)'),
      label('hydroxyzine', 'PRECAUTIONS (potentiation of CNS depressants)'),
      label('promethazine', '5 WARNINGS (CNS depression)'),
    ],
  },
  {
    id: 'cns-stimulants',
    name: 'CNS stimulants (amphetamines, methylphenidates)',
    names: [
      'amphetamine',
      'dextroamphetamine',
      'lisdexamfetamine',
      'methamphetamine',
      'methylphenidate',
      'dexmethylphenidate',
      'serdexmethylphenidate',
    ],
    citations: [
      label('lisdexamfetamine', 'Boxed warning; 4 CONTRAINDICATIONS (MAOIs)'),
      label('methylphenidate', 'Boxed warning; 4 CONTRAINDICATIONS (MAOIs)'),
    ],
  },
  {
    id: 'cholinesterase-inhibitors',
    name: 'Cholinesterase inhibitors',
    names: ['donepezil', 'galantamine', 'rivastigmine', 'pyridostigmine', 'neostigmine', 'physostigmine'],
    citations: [
      label('donepezil', '12.1 Mechanism of Action; 7 DRUG INTERACTIONS'),
      label('pyridostigmine', 'CLINICAL PHARMACOLOGY'),
    ],
  },
  {
    id: 'antimuscarinics-urinary',
    name: 'Urinary antimuscarinics (overactive bladder)',
    names: ['darifenacin', 'fesoterodine', 'oxybutynin', 'solifenacin', 'tolterodine', 'trospium'],
    citations: [label('oxybutynin', INDICATIONS), label('solifenacin', INDICATIONS)],
  },
  {
    id: 'antiepileptics-enzyme-inducing',
    name: 'Enzyme-inducing antiepileptics (strong CYP3A4 inducers)',
    names: ['carbamazepine', 'phenytoin', 'fosphenytoin', 'phenobarbital', 'primidone'],
    citations: [
      label('carbamazepine', '7 DRUG INTERACTIONS (CYP3A4 induction)'),
      label('phenytoin', '7 DRUG INTERACTIONS'),
      {
        source:
          'FDA, For Healthcare Professionals: Examples of Drugs that Interact with CYP Enzymes and Transporter Systems',
        url: 'https://www.fda.gov/drugs/drug-interactions-labeling/healthcare-professionals-fdas-examples-drugs-interact-cyp-enzymes-and-transporter-systems',
      },
    ],
  },
  // ------------------------------------------------------------ gastrointestinal
  {
    id: 'proton-pump-inhibitors',
    name: 'Proton pump inhibitors',
    names: ['dexlansoprazole', 'esomeprazole', 'lansoprazole', 'omeprazole', 'pantoprazole', 'rabeprazole'],
    citations: [label('omeprazole', INDICATIONS), label('pantoprazole', INDICATIONS)],
  },
  {
    id: 'h2-receptor-antagonists',
    name: 'H2-receptor antagonists',
    names: ['cimetidine', 'famotidine', 'nizatidine', 'ranitidine'],
    citations: [
      label('famotidine', INDICATIONS),
      label('cimetidine', 'CLINICAL PHARMACOLOGY; PRECAUTIONS (drug interactions)'),
    ],
  },
  // ------------------------------------------------------------ anti-infectives
  {
    id: 'fluoroquinolones',
    name: 'Fluoroquinolone antibacterials',
    names: [
      'ciprofloxacin',
      'delafloxacin',
      'gemifloxacin',
      'levofloxacin',
      'moxifloxacin',
      'norfloxacin',
      'ofloxacin',
    ],
    citations: [
      label('ciprofloxacin', 'Boxed warning; 7 DRUG INTERACTIONS'),
      label('levofloxacin', 'Boxed warning; 7 DRUG INTERACTIONS'),
    ],
  },
  {
    id: 'macrolides',
    name: 'Macrolide antibacterials',
    names: ['azithromycin', 'clarithromycin', 'erythromycin'],
    citations: [
      label('clarithromycin', '4 CONTRAINDICATIONS; 7 DRUG INTERACTIONS'),
      label('azithromycin', INDICATIONS),
    ],
  },
  {
    id: 'penicillins',
    name: 'Penicillins',
    // penicillin G benzathine / procaine are RxNorm PINs of penicillin G: their products map to penicillin G
    names: [
      'amoxicillin',
      'ampicillin',
      'dicloxacillin',
      'nafcillin',
      'oxacillin',
      'penicillin G',
      'penicillin V',
      'piperacillin',
    ],
    citations: [
      label('amoxicillin', '4 CONTRAINDICATIONS (serious hypersensitivity to beta-lactams)'),
      label('penicillin V', 'CONTRAINDICATIONS; WARNINGS (cross-sensitivity)'),
    ],
  },
  {
    id: 'cephalosporins',
    name: 'Cephalosporins',
    names: [
      'cefaclor',
      'cefadroxil',
      'cefazolin',
      'cefdinir',
      'cefditoren',
      'cefepime',
      'cefiderocol',
      'cefixime',
      'cefotaxime',
      'cefotetan',
      'cefoxitin',
      'cefpodoxime',
      'cefprozil',
      'ceftaroline fosamil',
      'ceftazidime',
      'ceftibuten',
      'ceftolozane',
      'ceftriaxone',
      'cefuroxime',
      'cephalexin',
    ],
    citations: [
      label('cephalexin', '4 CONTRAINDICATIONS; 5.1 Hypersensitivity (cross-sensitivity with penicillins)'),
      label('ceftriaxone', '4 CONTRAINDICATIONS; 5 WARNINGS AND PRECAUTIONS'),
    ],
  },
  {
    id: 'carbapenems',
    name: 'Carbapenems',
    names: ['doripenem', 'ertapenem', 'imipenem', 'meropenem'],
    citations: [
      label('meropenem', '5 WARNINGS AND PRECAUTIONS (hypersensitivity; valproate interaction)'),
      label('ertapenem', '5 WARNINGS AND PRECAUTIONS'),
    ],
  },
  {
    id: 'sulfonamide-antibiotics',
    name: 'Sulfonamide antibacterials',
    names: ['sulfadiazine', 'sulfamethoxazole', 'sulfisoxazole'],
    citations: [
      label('sulfamethoxazole and trimethoprim', 'CONTRAINDICATIONS; WARNINGS'),
      label('sulfadiazine', 'CONTRAINDICATIONS; WARNINGS'),
    ],
  },
  {
    id: 'tetracyclines',
    name: 'Tetracyclines (including glycylcyclines)',
    names: [
      'demeclocycline',
      'doxycycline',
      'eravacycline',
      'minocycline',
      'omadacycline',
      'sarecycline',
      'tetracycline',
      'tigecycline',
    ],
    citations: [
      label('doxycycline', '7 DRUG INTERACTIONS (antacids, iron; anticoagulants)'),
      label('minocycline', '7 DRUG INTERACTIONS'),
    ],
  },
  {
    id: 'aminoglycosides',
    name: 'Aminoglycosides',
    names: ['amikacin', 'gentamicin', 'neomycin', 'plazomicin', 'streptomycin', 'tobramycin'],
    citations: [
      label('gentamicin', 'Boxed warning (nephrotoxicity, ototoxicity, neuromuscular blockade)'),
      label('tobramycin', 'Boxed warning'),
    ],
  },
  {
    id: 'azole-antifungals',
    name: 'Azole antifungals',
    names: [
      'clotrimazole',
      'fluconazole',
      'isavuconazonium',
      'itraconazole',
      'ketoconazole',
      'miconazole',
      'posaconazole',
      'voriconazole',
    ],
    citations: [
      label('ketoconazole', 'Boxed warning; 4 CONTRAINDICATIONS (CYP3A4 substrates)'),
      label('itraconazole', 'Boxed warning; 4 CONTRAINDICATIONS'),
      label('voriconazole', '4 CONTRAINDICATIONS; 7 DRUG INTERACTIONS'),
      label('posaconazole', '4 CONTRAINDICATIONS; 7 DRUG INTERACTIONS'),
    ],
  },
  // ------------------------------------------------------------ endocrine and metabolic
  {
    id: 'sulfonylureas',
    name: 'Sulfonylureas',
    names: ['chlorpropamide', 'glimepiride', 'glipizide', 'glyburide', 'tolazamide', 'tolbutamide'],
    citations: [label('glipizide', INDICATIONS), label('glimepiride', '5.1 Hypoglycemia; 12.1 Mechanism of Action')],
  },
  {
    id: 'insulins',
    name: 'Insulins',
    names: [
      'insulin aspart, human',
      'insulin aspart protamine, human',
      'insulin degludec',
      'insulin detemir',
      'insulin glargine',
      'insulin glulisine, human',
      'insulin isophane',
      'insulin lispro',
      'insulin lispro protamine, human',
      'insulin, regular, human',
    ],
    citations: [
      label('insulin glargine', '5 WARNINGS AND PRECAUTIONS (hypoglycemia; hypokalemia)'),
      label('insulin lispro', '5 WARNINGS AND PRECAUTIONS'),
    ],
  },
  {
    id: 'dpp4-inhibitors',
    name: 'DPP-4 inhibitors (gliptins)',
    names: ['linagliptin', 'saxagliptin', 'sitagliptin'],
    citations: [label('sitagliptin', INDICATIONS), label('saxagliptin', INDICATIONS)],
  },
  {
    id: 'glp1-receptor-agonists',
    name: 'GLP-1 receptor agonists (including dual GIP/GLP-1 agonists)',
    names: ['dulaglutide', 'exenatide', 'liraglutide', 'lixisenatide', 'semaglutide', 'tirzepatide'],
    citations: [
      label('semaglutide', 'Boxed warning; 7 DRUG INTERACTIONS (delayed gastric emptying)'),
      label('tirzepatide', '12.1 Mechanism of Action; 7 DRUG INTERACTIONS'),
    ],
  },
  {
    id: 'sglt2-inhibitors',
    name: 'SGLT2 inhibitors',
    names: ['bexagliflozin', 'canagliflozin', 'dapagliflozin', 'empagliflozin', 'ertugliflozin', 'sotagliflozin'],
    citations: [label('empagliflozin', INDICATIONS), label('dapagliflozin', INDICATIONS)],
  },
  {
    id: 'thiazolidinediones',
    name: 'Thiazolidinediones',
    names: ['pioglitazone', 'rosiglitazone'],
    citations: [label('pioglitazone', 'Boxed warning (congestive heart failure); 12.1 Mechanism of Action')],
  },
  {
    id: 'systemic-corticosteroids',
    name: 'Corticosteroids (systemic glucocorticoids and fludrocortisone)',
    names: [
      'betamethasone',
      'budesonide',
      'cortisone',
      'deflazacort',
      'dexamethasone',
      'fludrocortisone',
      'hydrocortisone',
      'methylprednisolone',
      'prednisolone',
      'prednisone',
      'triamcinolone',
    ],
    citations: [
      label('prednisone', 'INDICATIONS AND USAGE; PRECAUTIONS (drug interactions)'),
      label('dexamethasone', 'INDICATIONS AND USAGE; PRECAUTIONS'),
    ],
  },
  {
    id: 'bisphosphonates',
    name: 'Bisphosphonates',
    names: ['alendronate', 'etidronate', 'ibandronate', 'pamidronate', 'risedronate', 'zoledronic acid'],
    citations: [
      label(
        'alendronate',
        '2 DOSAGE AND ADMINISTRATION (take with water, 30 minutes before food, drink or other drugs)',
      ),
      label('risedronate', '7 DRUG INTERACTIONS'),
    ],
  },
  {
    id: 'thyroid-hormones',
    name: 'Thyroid hormones',
    names: ['levothyroxine', 'liothyronine', 'thyroid (USP)'],
    citations: [
      label('levothyroxine', '7 DRUG INTERACTIONS (drugs that reduce absorption)'),
      label('liothyronine', '7 DRUG INTERACTIONS'),
    ],
  },
  {
    id: 'estrogens',
    name: 'Estrogens',
    names: [
      'estradiol',
      'estrogens, conjugated (USP)',
      'estrogens, esterified (USP)',
      'estropipate',
      'ethinyl estradiol',
      'mestranol',
    ],
    citations: [
      label('estradiol', 'Boxed warning; 7 DRUG INTERACTIONS (CYP3A4 inducers and inhibitors)'),
      label('norethindrone and ethinyl estradiol', '7 DRUG INTERACTIONS'),
    ],
  },
  {
    id: 'progestins',
    name: 'Progestins',
    names: [
      'desogestrel',
      'dienogest',
      'drospirenone',
      'ethynodiol',
      'etonogestrel',
      'levonorgestrel',
      'medroxyprogesterone',
      'megestrol',
      'norelgestromin',
      'norethindrone',
      'norgestimate',
      'norgestrel',
      'progesterone',
      'segesterone',
    ],
    citations: [
      label('norethindrone', '7 DRUG INTERACTIONS (enzyme inducers)'),
      label('levonorgestrel', '7 DRUG INTERACTIONS'),
      label('etonogestrel', '7 DRUG INTERACTIONS'),
    ],
  },
  {
    id: 'xanthine-oxidase-inhibitors',
    name: 'Xanthine oxidase inhibitors',
    names: ['allopurinol', 'febuxostat'],
    citations: [
      label('febuxostat', '4 CONTRAINDICATIONS (azathioprine, mercaptopurine); 12.1 Mechanism of Action'),
      label('allopurinol', 'PRECAUTIONS (mercaptopurine, azathioprine)'),
    ],
  },
  {
    id: 'thiopurines',
    name: 'Thiopurines',
    names: ['azathioprine', 'mercaptopurine', 'thioguanine'],
    citations: [
      label('azathioprine', '7 DRUG INTERACTIONS (allopurinol, febuxostat)'),
      label('mercaptopurine', '7 DRUG INTERACTIONS'),
    ],
  },
  {
    id: 'calcineurin-inhibitors',
    name: 'Calcineurin inhibitors',
    names: ['cyclosporine', 'tacrolimus', 'voclosporin'],
    citations: [
      label('tacrolimus', 'Boxed warning; 7 DRUG INTERACTIONS (CYP3A inhibitors and inducers)'),
      label('cyclosporine', 'Boxed warning; PRECAUTIONS (drug interactions)'),
    ],
  },
  {
    id: 'mtor-inhibitors',
    name: 'mTOR inhibitors',
    names: ['everolimus', 'sirolimus', 'temsirolimus'],
    citations: [
      label('sirolimus', '7 DRUG INTERACTIONS (CYP3A4 and P-gp)'),
      label('everolimus', '7 DRUG INTERACTIONS'),
    ],
  },
];

/**
 * Frequently prescribed ingredients in none of the classes above (the shared common-drugs list, plus the most
 * prescribed US outpatient ingredients beyond it). build-kb.ts registers them and maps their products.
 * Common-drugs entries whose name is not the RxNorm IN are listed under the RxNorm name: "insulin aspart" →
 * "insulin aspart, human" (insulins), "isosorbide mononitrate" (an RxNorm PIN) → "isosorbide" (nitrates),
 * "valproic acid" → "valproate", "dabigatran" → "dabigatran etexilate".
 */
export const COMMON_INGREDIENTS: string[] = [
  // common-drugs list, classless
  'metformin',
  'albuterol',
  'montelukast',
  'bupropion',
  'trazodone',
  'fluticasone',
  'ergocalciferol',
  'cholecalciferol',
  'buspirone',
  'ondansetron',
  'topiramate',
  'lamotrigine',
  'cetirizine',
  'clonidine',
  'loratadine',
  'finasteride',
  'folic acid',
  'mirtazapine',
  'ezetimibe',
  'hydralazine',
  'levetiracetam',
  'valacyclovir',
  'ropinirole',
  'memantine',
  'digoxin',
  'amiodarone',
  'trimethoprim',
  'nitrofurantoin',
  'metronidazole',
  'valproate',
  'lithium',
  'naloxone',
  'colchicine',
  'sacubitril',
  'testosterone',
  'clavulanate',
  'vancomycin',
  'linezolid',
  'rifampin',
  'isoniazid',
  'procarbazine',
  'ramelteon',
  'irinotecan',
  'atazanavir',
  'ritonavir',
  'ergotamine',
  'dihydroergotamine',
  'methylergonovine',
  'dextromethorphan',
  'atomoxetine',
  'phentermine',
  'mexiletine',
  'propafenone',
  'zileuton',
  'nelfinavir',
  'indinavir',
  'saquinavir',
  'darunavir',
  'lopinavir',
  'fosamprenavir',
  'tipranavir',
  'telithromycin',
  'aprepitant',
  'bosentan',
  'rifapentine',
  'rifabutin',
  'dofetilide',
  'quinidine',
  'acetaminophen',
  'methotrexate',
  'hydroxychloroquine',
  // further frequently prescribed outpatient ingredients
  'acyclovir',
  'adalimumab',
  'amantadine',
  'anastrozole',
  'benzonatate',
  'benztropine',
  'bimatoprost',
  'brimonidine',
  'calcitriol',
  'carbidopa',
  'levodopa',
  'vitamin B12',
  'dicyclomine',
  'dorzolamide',
  'dutasteride',
  'famciclovir',
  'fexofenadine',
  'fluorouracil',
  'glucagon',
  'guaifenesin',
  'hydroxyurea',
  'ipratropium',
  'ivermectin',
  'ketotifen',
  'latanoprost',
  'letrozole',
  'lidocaine',
  'loperamide',
  'mesalamine',
  'methimazole',
  'metoclopramide',
  'minoxidil',
  'mometasone',
  'mupirocin',
  'naltrexone',
  'nystatin',
  'olopatadine',
  'oseltamivir',
  'oxcarbazepine',
  'phenazopyridine',
  'pramipexole',
  'propylthiouracil',
  'pseudoephedrine',
  'raloxifene',
  'ranolazine',
  'rifaximin',
  'salmeterol',
  'scopolamine',
  'sucralfate',
  'tamoxifen',
  'terbinafine',
  'tiotropium',
  'tretinoin',
  'varenicline',
  'zonisamide',
  'epinephrine',
  'formoterol',
  'glycopyrronium',
  'dexmedetomidine',
  'propofol',
  'ketamine',
  'nicotine',
  'ivabradine',
  'flecainide',
  'dronedarone',
  'eslicarbazepine',
  'lacosamide',
  'brivaracetam',
  'ethosuximide',
  'felbamate',
  'rufinamide',
  'tiagabine',
  'vigabatrin',
  'cenobamate',
  'perampanel',
  'modafinil',
  'armodafinil',
  'sodium bicarbonate',
  'calcium carbonate',
  'magnesium oxide',
  'ferrous sulfate',
  'sodium chloride',
  'glucose',
  'methylene blue',
  'mirabegron',
  'emtricitabine',
  'tenofovir disoproxil',
  'dolutegravir',
  'bictegravir',
  'efavirenz',
  'abacavir',
  'lamivudine',
  'zidovudine',
  'nevirapine',
  'raltegravir',
  'cobicistat',
  'sofosbuvir',
];

export const entries: EntrySpec[] = [];
