import { type PropsWithChildren } from 'react';
import { config as zodConfig } from 'zod';
import { applyTextScale } from './services/text-size';
import './app.css';

// Mini-program engines forbid new Function; tell zod not to try compiling validators.
zodConfig({ jitless: true });
applyTextScale();

function App({ children }: PropsWithChildren) {
  return children;
}

export default App;
