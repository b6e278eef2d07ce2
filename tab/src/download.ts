/** Saves text as a file the person downloads (CSV exports). */
export function download(text: string, filename: string, type = 'text/csv'): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = filename;
  a.click();
}
