/**
 * A product's RxNorm dose form: the one the knowledge base records, else the words after the last strength of its
 * RxNorm name ("Abuse-Deterrent 12 HR oxycodone hydrochloride 60 MG Extended Release Oral Tablet [Oxycontin]" →
 * "Extended Release Oral Tablet"). Read from the name, never guessed: a name without a strength has no form here.
 */
export function productDoseForm(name: string, doseForm: string | undefined): string | undefined {
  if (doseForm) return doseForm;
  const plain = name.replace(/\s*\[[^\]]*\]\s*$/, '');
  const m =
    /^.*\d(?:\.\d+)?\s?(?:MG|MCG|G|MEQ|MMOL|UNT|ML|%)(?:\/(?:\d+(?:\.\d+)?\s?)?[A-Z]+)?\s+([A-Za-z][A-Za-z -]*)$/i.exec(
      plain,
    );
  return m?.[1]?.trim();
}
