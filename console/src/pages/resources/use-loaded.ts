import { useCallback, useEffect, useRef, useState } from 'react';

/** A value read from the API when the component mounts (and again on reload); a late answer after unmount is dropped. */
export function useLoaded<T>(load: () => Promise<T>) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let cancelled = false;
    setError(null);
    loadRef.current().then(
      (v) => !cancelled && setValue(v),
      (err) => !cancelled && setError(err),
    );
    return () => {
      cancelled = true;
    };
  }, [version]);
  return { value, error, reload: useCallback(() => setVersion((v) => v + 1), []) };
}
