import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './locales/en';
import { ko } from './locales/ko';

export const languages = { en: 'English', ko: '한국어' } as const;
export type Language = keyof typeof languages;

const saved = localStorage.getItem('guesthouse.language');
const initial: Language = saved === 'en' || saved === 'ko' ? saved : navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';

void i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, ko: { translation: ko } },
  lng: initial,
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});
document.documentElement.lang = initial;

export function setLanguage(lang: Language): void {
  localStorage.setItem('guesthouse.language', lang);
  document.documentElement.lang = lang;
  void i18next.changeLanguage(lang);
}

export default i18next;
