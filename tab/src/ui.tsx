import { makeStyles, MessageBar, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';

/** Below this width (Teams' narrow pane is about 700 px) the navigation moves on top and tables reflow into cards. */
export const NARROW = '(max-width: 900px)';

/** The look every page shares, from Fluent's tokens so it follows the theme (light, dark, high contrast). */
export const usePageStyles = makeStyles({
  title: { marginBottom: tokens.spacingVerticalS },
  lead: { marginBottom: tokens.spacingVerticalM },
  filters: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap', alignItems: 'end', marginBottom: tokens.spacingVerticalM },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center', marginTop: tokens.spacingVerticalS },
  section: { marginTop: tokens.spacingVerticalXL },
  gap: { marginTop: tokens.spacingVerticalS },
  narrowForm: { maxWidth: '640px' },
  table: { maxWidth: '900px' },
  /** One record (an incident, a person's history) opened below a list. */
  panel: {
    marginTop: tokens.spacingVerticalXL,
    padding: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorNeutralBackground2,
    borderLeft: `6px solid ${tokens.colorBrandStroke1}`,
    overflowWrap: 'anywhere',
  },
  urgentPanel: { borderLeftColor: tokens.colorPaletteRedBorder2 },
  warning: { color: tokens.colorPaletteRedForeground1, marginTop: tokens.spacingVerticalXS },
  badgeGap: { marginRight: tokens.spacingHorizontalXS },
  /**
   * A table that, in a narrow pane, shows each row as a small card: cells stack, each with its
   * column's name (a cell's `data-label`), so nothing is cut off or scrolls sideways.
   */
  reflow: {
    [`@media ${NARROW}`]: {
      display: 'block',
      '& thead': { display: 'none' },
      '& tbody': { display: 'block' },
      '& tr': {
        display: 'flex',
        flexDirection: 'column',
        alignItems: 'flex-start',
        gap: tokens.spacingVerticalXXS,
        padding: `${tokens.spacingVerticalS} 0`,
      },
      '& td': { display: 'block', width: 'auto', maxWidth: '100%', height: 'auto', minHeight: 0, padding: 0, overflowWrap: 'anywhere' },
      '& td[data-label]::before': { content: 'attr(data-label) ": "', fontWeight: tokens.fontWeightSemibold },
    },
  },
});

/** Whether the pane is narrow (see NARROW), followed as the person resizes it. */
export function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => window.matchMedia?.(NARROW).matches ?? false);
  useEffect(() => {
    const media = window.matchMedia?.(NARROW);
    const follow = () => setNarrow(media.matches);
    media?.addEventListener('change', follow);
    return () => media?.removeEventListener('change', follow);
  }, []);
  return narrow;
}

/** The server's own words when a read or an action failed. */
export function ErrorBar({ error }: { error: unknown }) {
  if (!error) return null;
  return <MessageBar intent="error">{error instanceof Error ? error.message : String(error)}</MessageBar>;
}
