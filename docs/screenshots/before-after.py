# Before and after: run against `baraza serve --demo` of commit 0f3cfc8 (before the
# experience issue) and of today, e.g. `python3 before-after.py http://127.0.0.1:8080 after/shot sw`
# (needs `pip install selenium`, Debian's chromium and chromium-driver).
# Screenshots of a running `baraza serve --demo` at 360 px: the raise form with a
# mistake, the dashboard by ward, and a case page in the console.
import sys, time
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
base, prefix, lang = sys.argv[1], sys.argv[2], sys.argv[3]
o = Options()
o.binary_location = "/usr/bin/chromium"
for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=360,780", f"--lang={lang}"]:
    o.add_argument(a)
o.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 360, "height": 780, "pixelRatio": 2.0}})
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
d.get(f"{base}/language?l={lang}")
d.get(f"{base}/raise")
d.find_element(By.ID, "description").send_keys("Bomba limepasuka karibu na shule ya Emsoo")
d.find_element(By.ID, "phone").send_keys("0712")
d.find_element(By.ID, "send").click()
time.sleep(1)
d.save_screenshot(f"{prefix}-raise-form-errors-{lang}.png")
d.get(f"{base}/dashboard?by=ward")
time.sleep(0.5)
d.execute_script("var f = document.querySelector('svg'); if (f) f.scrollIntoView();")
time.sleep(0.3)
d.save_screenshot(f"{prefix}-dashboard-{lang}.png")
d.get(f"{base}/staff/login")
d.find_element(By.ID, "username").send_keys("desk")
d.find_element(By.ID, "password").send_keys("baraza-demo")
d.find_element(By.ID, "sign-in").click()
time.sleep(0.5)
d.get(f"{base}/staff?queue=all")
time.sleep(0.5)
link = d.find_elements(By.CSS_SELECTOR, "table a")[0]
link.click()
time.sleep(0.5)
d.save_screenshot(f"{prefix}-console-case.png")
d.quit()
print("ok")
