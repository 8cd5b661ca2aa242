// Candidate page, after the interview: voluntary self-identification for bias monitoring. Kept apart from the
// interview and never used in any score; only counts per group reach the company. Withdrawable at any time.
(function () {
  I18N.add({
    sid_h: "Optional: help us check that our interviews are fair",
    sid_note: "Answering is voluntary and changes nothing about your evaluation: your answers are stored apart from your interview, are never used to score anyone, and the company only sees figures per group (and nothing about a group smaller than five). You can withdraw them with this link while it works, or by asking the recruiter to delete your data.",
    sid_sex: "Sex", sid_race_ethnicity: "Race / ethnicity", sid_age_band: "Age", sid_skip: "Prefer not to say",
    sid_save: "Save my answers", sid_saved: "Thank you. Your answers are saved.", sid_withdraw: "Withdraw my answers",
    sid_withdrawn: "Your answers are deleted.",
    sid_female: "Female", sid_male: "Male", sid_non_binary: "Non-binary",
    sid_hispanic_latino: "Hispanic or Latino", sid_white: "White", sid_black: "Black or African American", sid_asian: "Asian",
    sid_native_hawaiian_pacific_islander: "Native Hawaiian or Pacific Islander",
    sid_american_indian_alaska_native: "American Indian or Alaska Native", sid_two_or_more: "Two or more", sid_other: "Other",
    sid_under_25: "Under 25", sid_25_39: "25–39", sid_40_54: "40–54", sid_55_plus: "55 or older",
  }, {
    sid_h: "可选：帮助我们检查面试是否公平",
    sid_note: "是否填写完全自愿，不会影响您的评估：您的回答与面试记录分开保存，绝不用于任何评分，公司只能看到各群体的统计数字（少于五人的群体不显示任何信息）。在此链接有效期内您可以通过它撤回，也可以随时请招聘方删除您的数据。",
    sid_sex: "性别", sid_race_ethnicity: "种族 / 族裔", sid_age_band: "年龄", sid_skip: "不愿透露",
    sid_save: "保存我的回答", sid_saved: "谢谢，您的回答已保存。", sid_withdraw: "撤回我的回答", sid_withdrawn: "您的回答已删除。",
    sid_female: "女", sid_male: "男", sid_non_binary: "非二元",
    sid_hispanic_latino: "西班牙裔或拉丁裔", sid_white: "白人", sid_black: "黑人或非裔", sid_asian: "亚裔",
    sid_native_hawaiian_pacific_islander: "夏威夷原住民或太平洋岛民", sid_american_indian_alaska_native: "美洲印第安人或阿拉斯加原住民",
    sid_two_or_more: "两种或以上", sid_other: "其他",
    sid_under_25: "25 岁以下", sid_25_39: "25–39 岁", sid_40_54: "40–54 岁", sid_55_plus: "55 岁及以上",
  });
  const CHOICES = {  // the server's categories (server/http/api_models.py)
    sex: ["female", "male", "non_binary"],
    race_ethnicity: ["hispanic_latino", "white", "black", "asian", "native_hawaiian_pacific_islander",
      "american_indian_alaska_native", "two_or_more", "other"],
    age_band: ["under_25", "25_39", "40_54", "55_plus"],
  };
  const URL = "/api/v1/candidate/self-identification";

  async function mount(container, token) {
    if (container.dataset.mounted) return;  // the end of an interview may be announced twice
    container.dataset.mounted = "1";
    let current;
    try { current = await API.call(`${URL}?token=${encodeURIComponent(token)}`); } catch (e) { return; }
    const form = document.createElement("form"); form.className = "card"; form.id = "self-id";
    const fs = document.createElement("fieldset"); fs.style.border = "0"; fs.style.padding = "0";
    const legend = document.createElement("legend"); legend.className = "h2"; legend.textContent = I18N.t("sid_h");
    const note = document.createElement("p"); note.className = "muted"; note.textContent = I18N.t("sid_note");
    fs.append(legend, note);
    for (const [field, values] of Object.entries(CHOICES)) {
      const label = document.createElement("label"); label.textContent = I18N.t("sid_" + field) + " ";
      const sel = document.createElement("select"); sel.name = field;
      for (const v of ["", ...values]) {
        const o = document.createElement("option"); o.value = v; o.textContent = I18N.t(v ? "sid_" + v : "sid_skip");
        if ((current[field] || "") === v) o.selected = true; sel.append(o);
      }
      label.append(sel); fs.append(label);
    }
    const save = document.createElement("button"); save.type = "submit"; save.textContent = I18N.t("sid_save");
    const withdraw = document.createElement("button"); withdraw.type = "button"; withdraw.className = "secondary";
    withdraw.textContent = I18N.t("sid_withdraw"); withdraw.hidden = !current.given;
    const status = document.createElement("p"); status.setAttribute("role", "status");
    fs.append(save, " ", withdraw, status); form.append(fs); container.append(form);

    form.addEventListener("submit", async (e) => {
      e.preventDefault(); status.textContent = "";
      const body = { token };
      for (const field of Object.keys(CHOICES)) body[field] = form.elements[field].value || null;
      try {
        const out = await API.call(URL, body);
        status.textContent = I18N.t(out.given ? "sid_saved" : "sid_withdrawn"); withdraw.hidden = !out.given;
      } catch (err) { status.textContent = API.errorText(err); }
    });
    withdraw.addEventListener("click", async () => {
      try {
        await API.call(`${URL}?token=${encodeURIComponent(token)}`, null, "DELETE");
        for (const field of Object.keys(CHOICES)) form.elements[field].value = "";
        status.textContent = I18N.t("sid_withdrawn"); withdraw.hidden = true;
      } catch (err) { status.textContent = API.errorText(err); }
    });
  }
  window.SelfId = { mount };
})();
